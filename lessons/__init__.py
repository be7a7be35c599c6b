"""The course's harness (nothing a learner copies imports it).

    catalog.py    the one registry of lessons: titles, packages, services, roles and commands
    cli.py        python -m lessons list | run N [--role R] | doctor | course-map
    launch.py     python -m lessons.launch: how every role starts (a sentence, a quiet Ctrl+C)
    story.py      Story, the demo's narration and checked facts; wait_until, eventually
    processes.py  child processes: output lines, readiness waits, no orphans
    console.py    output for the learner, coloured by rich on a terminal only
    broker.py     a second AMQP client for demos and tests; celery_env()
    settings.py   every URL, from the environment; errors.py: expected trouble as a sentence
"""
