"""Lesson 10's README pictures: screenshots of the management UI, taken by a real headless browser.

It puts something on the broker to look at (the lesson's exchange and queues, 40 tasks, and a
consumer holding 5 of them unacknowledged), logs in to the management UI with Chromium (driven by
Playwright), saves a PNG of each page into the lesson folder, and removes what it made.
The README's pictures come from here: run it again after an upgrade to refresh them.

    python -m tools.lesson10_screenshots                    (or: make readme-images)
    python -m tools.lesson10_screenshots --out /tmp/shots
"""

import argparse
from pathlib import Path
from urllib.parse import quote

import pika
import requests

from lessons.browser import browser_page
from lessons.launch import prepare, run_guarded
from lessons.settings import AMQP_URL, management_base, management_credentials, vhost
from lessons.waiting import eventually
from rabbitmq_basics.lesson10_management.producer import EXCHANGE, declare_topology

API = management_base()
AUTH = management_credentials()
UI = API.removesuffix("api/")  # the web UI lives one level up: http://127.0.0.1:15672/
HERE = Path(__file__).resolve().parent.parent / "rabbitmq_basics" / "lesson10_management"
TASKS = 40
PAGES = {  # file name -> the UI's address for it
    "overview.png": "#/",
    "connections.png": "#/connections",
    "queues.png": "#/queues",
    "queue-detail.png": f"#/queues/{quote(vhost(), safe='')}/lesson10.tasks",
}


def wait_for_stats(queue, messages, timeout=15):
    """The UI shows statistics the broker refreshes every 5 s: wait until they show our queue full."""
    def full():
        response = requests.get(f"{API}queues/{quote(vhost(), safe='')}/{queue}", auth=AUTH, timeout=5)
        return response.ok and response.json().get("messages") == messages

    eventually(full, timeout=timeout, interval=0.5)  # the pictures are taken either way


def take_screenshots(out):
    with browser_page(width=1280, height=800) as page:
        page.goto(UI, wait_until="networkidle")
        page.fill("input[name=username]", AUTH[0])
        page.fill("input[name=password]", AUTH[1])
        page.click("input[type=submit]")
        page.wait_for_selector("#logout")
        page.goto(UI + "#/queues", wait_until="networkidle")
        if page.locator("#show-vhost").count():  # show only our vhost, not everybody's
            page.select_option("#show-vhost", vhost())
            page.wait_for_load_state("networkidle")
        for name, address in PAGES.items():
            page.goto(UI + address, wait_until="networkidle")
            page.wait_for_selector("#main h1, #main h2")
            page.screenshot(path=str(out / name))
            print(f" [x] Saved {out / name} ({UI}{address})")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Take screenshots of the management UI.")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the PNG files (default: the lesson folder)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    parameters = pika.URLParameters(AMQP_URL)
    parameters.client_properties = {"connection_name": "lesson10 screenshot consumer"}
    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        for queue in ("lesson10.tasks", "lesson10.audit"):  # start from empty queues
            channel.queue_delete(queue=queue)
        declare_topology(channel)
        for i in range(1, TASKS + 1):
            channel.basic_publish(exchange=EXCHANGE, routing_key="task.created", body=f"task {i}")
        channel.basic_qos(prefetch_count=5)  # a consumer that holds 5 tasks and never acks them
        channel.basic_consume(queue="lesson10.tasks", on_message_callback=lambda *unused: None)
        print(f" [x] Sent {TASKS} tasks; a consumer holds 5 of them unacked")
        wait_for_stats("lesson10.audit", TASKS)
        take_screenshots(args.out)
    finally:
        channel = connection.channel()
        for queue in ("lesson10.tasks", "lesson10.audit"):
            channel.queue_delete(queue=queue)
        channel.exchange_delete(exchange=EXCHANGE)
        connection.close()
        print(" [x] Removed the queues and the exchange it made")


if __name__ == "__main__":
    prepare()
    run_guarded(main)
