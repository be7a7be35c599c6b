"""Lesson 21, an HTTP client of the app: start a report, then poll it until it is done.

    python client.py --pages 5
    python client.py --url http://127.0.0.1:5021 --fail-at 3

It talks HTTP only: it never imports Celery. The same calls work from curl or a browser.
"""

import argparse
import sys
import time

import requests


def main(argv=None):
    parser = argparse.ArgumentParser(description="Start a report job over HTTP and poll it.")
    parser.add_argument("--url", default="http://127.0.0.1:5021", help="where the app listens")
    parser.add_argument("--title", default="Quarterly report")
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--fail-at", type=int, help="make the job fail at this page")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between polls")
    parser.add_argument("--timeout", type=float, default=30, help="give up after this many seconds")
    args = parser.parse_args(argv)

    started = time.monotonic()
    response = requests.post(f"{args.url}/reports", timeout=5,
                             json={"title": args.title, "pages": args.pages, "fail_at": args.fail_at})
    if response.status_code != 202:
        print(f" [!] The app answered {response.status_code}: {response.json()['error']}")
        return 1
    job = response.json()
    print(f" [x] Sent: 202 in {1000 * (time.monotonic() - started):.0f} ms, job {job['id']}, poll {job['url']}")

    status_url = args.url + job["url"]  # the 202 told us where to look
    last = None
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        response = requests.get(status_url, timeout=5)
        if response.status_code != 200:  # 404: the app does not know the job (any more)
            print(f" [!] The app answered {response.status_code}: {response.json()['error']}")
            return 1
        job = response.json()
        seen = (job["state"], job["progress"] and job["progress"]["current"])
        if seen != last:  # print each change once
            progress = job["progress"]
            bar = f" {progress['current']}/{progress['total']}" if progress else ""
            print(f" [.] {job['state']}{bar}")
            last = seen
        if job["state"] == "SUCCESS":
            print(f" [.] Got {job['result']}")
            return 0
        if job["state"] == "FAILURE":
            print(f" [!] The job failed: {job['error']}")
            return 2
        time.sleep(args.interval)
    print(f" [!] Job {job['id']} was not done after {args.timeout:g} s (state {job['state']}). Is a worker running?")
    return 1


if __name__ == "__main__":
    sys.exit(main())
