"""Exercise 16, the client: build the sales report of the three databases.

    python report.py        (a worker must run: celery -A tasks worker --concurrency 3)

It works, slowly: it waits for each query before it sends the next, and it merges the parts
here, in the client. TODO: build it as ONE workflow that the workers run by themselves: the
three queries side by side, then merge_report on a worker with the list of their results (a
chord). The client only waits for the final report.
"""

from tasks import DATABASES, merge_report, query_sales

TIMEOUT = 15  # seconds to wait for the report


def main():
    parts = []
    for database in DATABASES:
        parts.append(query_sales.delay(database).get(timeout=TIMEOUT))  # one after the other
    report = merge_report(parts)  # calling a task like a function runs it here, not on a worker
    print(f" [x] Report: {report}")


if __name__ == "__main__":
    main()
