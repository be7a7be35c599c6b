"""Lesson 23, a job worker in Python: takes JSON jobs from any language, acks each one when done.

    python -m celery_basics.lesson23_other_languages.job_worker
    python -m celery_basics.lesson23_other_languages.job_worker --prefetch 1 --max-messages 5

php/job_worker.php, ruby/job_worker.rb and go/job_worker/main.go do the same, with the same rule
for what a job is (read_job below). A message that breaks the rule is rejected without requeue:
the queue's dead-letter arguments move it to 'lesson23_jobs_dead' instead of bringing it back
forever, and the worker goes on with the next one.
"""

import argparse
import json
import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "lesson23_jobs"
DEAD_LETTER_QUEUE = "lesson23_jobs_dead"
# The same arguments in every language (see send_jobs.py).
QUEUE_ARGUMENTS = {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": DEAD_LETTER_QUEUE}
MAX_SECONDS = 60  # the longest job any worker here accepts


def read_job(properties, body):
    """(id, seconds) of a job, or ValueError saying why the message is not one.

    The rule, the same in every language: content_type application/json, a JSON object whose
    "id" is a non-empty string and whose "seconds" is a number from 0 to MAX_SECONDS.
    """
    if properties.content_type != "application/json":
        raise ValueError("content_type is not application/json")
    try:
        job = json.loads(body)
    except (ValueError, RecursionError):
        raise ValueError("not JSON") from None
    if not isinstance(job, dict):
        raise ValueError("not a JSON object")
    job_id, seconds = job.get("id"), job.get("seconds")
    if not isinstance(job_id, str) or not job_id:
        raise ValueError("id is not a non-empty string")
    # bool is an int in Python, and NaN fails every comparison: both are refused here.
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= MAX_SECONDS:
        raise ValueError(f"seconds is not a number from 0 to {MAX_SECONDS}")
    return job_id, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description="Do the jobs waiting on the queue 'lesson23_jobs'.")
    parser.add_argument("--prefetch", type=int, default=1, help="unacknowledged jobs this worker may hold")
    parser.add_argument("--max-messages", type=int, default=0,
                        help="stop after this many messages (default: run until Ctrl+C)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True, arguments=QUEUE_ARGUMENTS)
    channel.queue_declare(queue=DEAD_LETTER_QUEUE, durable=True)
    channel.basic_qos(prefetch_count=args.prefetch)
    handled = 0

    def on_message(ch, method, properties, body):
        nonlocal handled
        handled += 1
        try:
            job_id, seconds = read_job(properties, body)
        except ValueError as reason:
            # Requeueing would bring the same bytes back at once, forever: reject it for good.
            ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)
            print(f" [!] Rejected ({reason}): dead-lettered to {DEAD_LETTER_QUEUE}")
        else:
            time.sleep(seconds)
            ch.basic_ack(delivery_tag=method.delivery_tag)
            # redelivered: the broker gave it to a worker before, which did not ack it (it died?)
            print(f" [x] Done {job_id}" + (" (redelivered)" if method.redelivered else ""))
        if handled == args.max_messages:
            ch.stop_consuming()

    channel.basic_consume(queue=QUEUE, on_message_callback=on_message)  # auto_ack=False: ack by hand
    print(" [*] Waiting for jobs. To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
