"""Lesson 17, the client: send media and light tasks, then show which worker ran each one.

    python client.py                       # 5 images, 4 e-mails
    python client.py --images 10 --archive 1

No queue is named here: task_routes in tasks.py decides where each task goes.
"""

import argparse

from tasks import archive, resize_image, send_email

PRIORITIES = [1, 9, 4, 7, 0]  # RabbitMQ: higher first; the media queue has x-max-priority 10


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send routed tasks and show who ran them.")
    parser.add_argument("--images", type=int, default=5, help="resize_image tasks (the media queue)")
    parser.add_argument("--emails", type=int, default=4, help="send_email tasks (the default queue)")
    parser.add_argument("--archive", type=int, default=0,
                        help="archive tasks, routed to a queue no worker consumes (not waited for)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for the results")
    args = parser.parse_args(argv)

    sent = []
    for i in range(args.images):
        name, priority = f"photo-{i + 1}.jpg", PRIORITIES[i % len(PRIORITIES)]
        sent.append(("resize_image", resize_image.apply_async((name,), priority=priority), priority))
        print(f" [x] Sent resize_image({name!r}) with priority {priority}")
    for i in range(args.emails):
        to = f"user{i + 1}@example.com"
        sent.append(("send_email", send_email.delay(to), None))
        print(f" [x] Sent send_email({to!r})")
    for i in range(args.archive):
        name = f"2026-{i + 1:02d}.tar"
        archive.delay(name)
        print(f" [x] Sent archive({name!r}): routed to 'lesson17_archive', where nobody listens")
    if not sent:
        return
    print(f" [*] Sent {len(sent)} tasks; waiting for their results")

    done = [(result.get(timeout=args.timeout), task, priority) for task, result, priority in sent]
    first = min(value["started"] for value, _, _ in done)
    for value, task, priority in sorted(done, key=lambda item: item[0]["started"]):
        extra = f" (priority {priority})" if priority is not None else ""
        print(f" [.] {task} {value['task']}{extra} ran on {value['worker']}, "
              f"started at +{value['started'] - first:.2f} s")


if __name__ == "__main__":
    main()
