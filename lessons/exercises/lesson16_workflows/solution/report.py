"""Exercise 16, the client: build the sales report of the three databases.

    python report.py        (a worker must run: celery -A tasks worker --concurrency 3)

The reference solution: a chord. Its header, a group of three queries, runs side by side; when
all three are done, the worker runs the body, merge_report, with the list of their results.
"""

from celery import chord

from tasks import DATABASES, merge_report, query_sales

TIMEOUT = 15  # seconds to wait for the report


def main():
    workflow = chord((query_sales.s(database) for database in DATABASES), merge_report.s())
    report = workflow.delay().get(timeout=TIMEOUT)
    print(f" [x] Report: {report}")


if __name__ == "__main__":
    main()
