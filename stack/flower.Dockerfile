# Flower for the composed stack, with the Celery, kombu, Flower and redis versions that the course's
# pyproject.toml asks for (the same ranges the lessons and CI install).
FROM python:3.11-slim
WORKDIR /flower
COPY pyproject.toml stack/flower_requirements.py ./
RUN python flower_requirements.py pyproject.toml > requirements.txt \
    && pip install --no-cache-dir -r requirements.txt
USER nobody
EXPOSE 5555
