"""Lesson 23, a job producer in Python: JSON jobs on the durable queue that every language shares.

    python -m celery_basics.lesson23_other_languages.send_jobs --count 3
    python -m celery_basics.lesson23_other_languages.send_jobs --raw '{"id": "broken",'   # not JSON

php/send_jobs.php, ruby/send_jobs.rb, java/SendJobs.java, go/send_jobs/main.go and
node/send_jobs.js send the same messages: a JSON object with content_type application/json, as
persistent messages on the queue 'lesson23_jobs'. Any worker, in any language, can take them.
"""

import argparse
import json
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "lesson23_jobs"
# Every program declares the queue with these same arguments, or the broker refuses the second
# declaration (PRECONDITION_FAILED): rejected messages go to the queue 'lesson23_jobs_dead'.
QUEUE_ARGUMENTS = {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": "lesson23_jobs_dead"}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send JSON jobs to the queue 'lesson23_jobs'.")
    parser.add_argument("--count", type=int, default=3, help="how many jobs to send")
    parser.add_argument("--seconds", type=float, default=1.0, help="how long each job takes a worker")
    parser.add_argument("--raw", help="send this text as is instead (to see what a worker does with it)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True, arguments=QUEUE_ARGUMENTS)
    properties = pika.BasicProperties(
        content_type="application/json",  # tells every consumer how to read the body
        delivery_mode=pika.DeliveryMode.Persistent,
    )
    if args.raw is not None:
        channel.basic_publish(exchange="", routing_key=QUEUE, body=args.raw.encode(), properties=properties)
        print(f" [x] Sent {args.raw!r} as is")
    else:
        for n in range(1, args.count + 1):
            job = {"id": f"python-{n}", "sent_by": "python", "seconds": args.seconds}
            channel.basic_publish(exchange="", routing_key=QUEUE, body=json.dumps(job), properties=properties)
            print(f" [x] Sent {job['id']}")
    connection.close()


if __name__ == "__main__":
    main()
