# The course's commands. `make` alone lists them.
.DEFAULT_GOAL := help
.PHONY: help setup up down doctor broker-user test test-rabbitmq4 rabbitmq4 rabbitmq4-stop lint timings readme-images clean languages

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# TEST_WORKERS=2 runs a test session's modules in two processes (pytest-xdist), a module at a time
# each: most of a lesson's test waits for the processes it started, so that nearly halves the time.
# .ci/run uses it for the 3.10 leg. The default is one process, which leaves a learner a core free.
TEST_WORKERS ?= 0
XDIST  := -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

help: ## list the targets (this text)
	@echo "Task queues course. Usage: make TARGET"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9%_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "  lesson-N ROLE=name ARGS='...'   run one role of lesson N in the foreground"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install the course with its dev tools

up: ## start RabbitMQ, Redis and Flower (docker compose, or local servers without Docker)
	@if docker info >/dev/null 2>&1; then docker compose up -d --wait; else sh scripts/local-stack.sh; fi

down: ## stop the composed stack
	@if docker info >/dev/null 2>&1; then docker compose down; \
	else echo "No Docker engine here: local servers keep running (stop them with 'rabbitmqctl stop' and 'redis-cli shutdown')."; fi

doctor: $(STAMP) ## say which services are up, and how to fix the ones that are not
	@$(PY) -m lessons doctor

broker-user: ## create the course user on a local RabbitMQ (the compose stack makes its own)
	@sh scripts/local-stack.sh user

lesson-%: $(STAMP) ## run lesson N's demo, e.g. make lesson-1
	@$(PY) -m lessons run $* $(if $(ROLE),--role $(ROLE)) $(if $(ARGS),-- $(ARGS))

exercise-%: $(STAMP) ## check your exercise of lesson N, e.g. make exercise-2
	@$(PY) -m lessons exercise $*

hint-%: $(STAMP) ## the next hint for lesson N's exercise, e.g. make hint-2
	@$(PY) -m lessons hint $*

test: $(STAMP) ## run the whole test suite against the running stack (TEST_WORKERS=2: two processes)
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

test-rabbitmq4: $(STAMP) ## run the tests that talk to the broker against a RabbitMQ 4.x node (root; no Docker)
	COURSE_TEST_ORDER=second sh scripts/rabbitmq4.sh run $(PY) -m pytest -m broker $(XDIST) $(PYTEST_ARGS)

rabbitmq4: ## start the RabbitMQ 4.x node beside the local one (AMQP 5673, management 15673)
	@sh scripts/rabbitmq4.sh start
	@echo "Point a lesson at it: $$(sh scripts/rabbitmq4.sh env | tr '\n' ' ')make lesson-1"

rabbitmq4-stop: ## stop the RabbitMQ 4.x node
	@sh scripts/rabbitmq4.sh stop

timings: $(STAMP) ## run every lesson's demo and print its wall time
	@$(PY) -m lessons run --all --timings

readme-images: $(STAMP) ## remake the README pictures of lessons 10, 19 and 28 (maintainers; tools/)
	$(PY) -m tools.lesson10_screenshots
	$(PY) -m tools.lesson19_readme_images
	$(PY) -m lessons run 28 -- --chart production/lesson28_performance/performance.png

LESSON23 := celery_basics/lesson23_other_languages

languages: ## install the other languages' toolchains for lesson 23 (apt-get, then npm ci)
	@sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	missing=$$(grep -v '^#' $(LESSON23)/toolchains.txt | while IFS='|' read -r name check packages; do \
	    sh -c "$$check" >/dev/null 2>&1 || echo "$$packages"; done); \
	if [ -n "$$missing" ]; then \
	    echo "Installing:" $$missing; \
	    $$sudo apt-get update -qq && \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "Every language of lesson 23 is installed here."; fi
	npm ci --prefix $(LESSON23)/node --no-audit --no-fund

lint: $(STAMP) ## check the code with ruff
	$(PY) -m ruff check .

clean: ## remove caches and generated files (keeps .venv; rm -rf .venv to start over)
	rm -rf .pytest_cache .ruff_cache build *.egg-info
	find . -path ./.venv -prune -o -name __pycache__ -type d -exec rm -rf {} +
