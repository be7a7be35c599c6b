"""Lesson 23, a job worker in Python: takes JSON jobs from any language, acks each one when done.

    python -m celery_basics.lesson23_other_languages.job_worker
    python -m celery_basics.lesson23_other_languages.job_worker --prefetch 1 --max-messages 5

php/job_worker.php, ruby/job_worker.rb and go/job_worker/main.go do the same. A message that is
not a job (not JSON, or not the agreed fields) is rejected without requeue: the queue's
dead-letter arguments move it to 'lesson23_jobs_dead' instead of bringing it back forever.
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
            if properties.content_type != "application/json":
                raise ValueError(f"content_type {properties.content_type!r}")
            job = json.loads(body)
            job_id, seconds = job["id"], float(job["seconds"])
        except (ValueError, KeyError, TypeError) as exc:
            # Requeueing would bring the same bytes back at once, forever: reject it for good.
            ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)
            print(f" [!] Rejected {body[:40]!r} ({type(exc).__name__}): dead-lettered to {DEAD_LETTER_QUEUE}")
        else:
            time.sleep(seconds)
            ch.basic_ack(delivery_tag=method.delivery_tag)
            print(f" [x] Done {job_id}")
        if handled == args.max_messages:
            ch.stop_consuming()

    channel.basic_consume(queue=QUEUE, on_message_callback=on_message)
    print(" [*] Waiting for jobs. To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
