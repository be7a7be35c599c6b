"""Lesson 16, the client: build workflows from signatures and print what each one returns.

    python client.py              # every workflow, in order
    python client.py report       # only the chord report
    python client.py failing      # a chord member fails

A worker must run (python worker.py).
"""

import argparse
import json

from celery import chain, chord, group

from tasks import (
    add,
    merge_report,
    mul,
    notify,
    query_sales,
    query_sales_or_gap,
    report_failed,
    xsum,
)

TIMEOUT = 15  # seconds to wait for a result


def show(name, value):
    print(f" [.] {name}: {json.dumps(value)}")


def signatures():
    sig = add.s(2, 2)  # a signature: a task and its arguments, not sent yet
    print(f" [x] Sending the signature {sig!r}")
    show("signature", sig.delay().get(timeout=TIMEOUT))

    partial = add.s(10)  # a partial signature: one argument still missing
    print(f" [x] Sending the partial {partial!r} with 5 more")
    show("partial", partial.delay(5).get(timeout=TIMEOUT))


def chains():
    # Each result becomes the first argument of the next task: ((2 + 2) * 8) + 1
    workflow = chain(add.s(2, 2), mul.s(8), add.s(1))  # the same as add.s(2, 2) | mul.s(8) | add.s(1)
    print(f" [x] Sending the chain {workflow!r}")
    show("chain", workflow().get(timeout=TIMEOUT))


def groups():
    # Ten tasks side by side; the results come back in the group's order.
    squares = group(mul.s(i, i) for i in range(10))
    print(" [x] Sending a group of 10 mul tasks")
    show("group", squares().get(timeout=TIMEOUT))


def report():
    # The report: one query task per database (the chord's header, a group),
    # then merge_report once with the list of all their results (the chord's body).
    databases = ["eu", "us", "asia"]
    workflow = chord((query_sales.s(db) for db in databases), merge_report.s())
    print(f" [x] Sending a chord: {len(databases)} queries, then merge_report")
    show("report", workflow().get(timeout=TIMEOUT))


def many_small():
    # map and starmap: ONE task that calls the task for every item, in a loop.
    show("map", xsum.map([[1, 2, 3], [10, 20], [100]]).delay().get(timeout=TIMEOUT))
    show("starmap", add.starmap([(1, 1), (2, 2), (3, 3)]).delay().get(timeout=TIMEOUT))
    # chunks: 100 additions cut into 10 tasks of 10, run as a group.
    parts = add.chunks([(i, i) for i in range(100)], 10)().get(timeout=TIMEOUT)
    show("chunks", {"tasks": len(parts), "results": sum(len(part) for part in parts),
                    "total": sum(sum(part) for part in parts)})


def immutable():
    # .si() makes an immutable signature: it ignores the result of the task before it.
    workflow = add.s(2, 2) | notify.si("the sum is ready")
    print(f" [x] Sending the chain {workflow!r}")
    show("immutable", workflow().get(timeout=TIMEOUT))


def failing():
    databases = ["eu", "legacy", "asia"]  # 'legacy' is not answering

    # 1. One query fails: merge_report never runs. get() raises the failed member's error
    #    (it looks at the header first); the chord's own result is a ChordError.
    #    on_error() links an error callback that the worker calls with that ChordError.
    callback = merge_report.s().on_error(report_failed.s())
    result = chord((query_sales.s(db) for db in databases), callback)()
    print(" [x] Sending a chord whose 'legacy' query fails")
    try:
        result.get(timeout=TIMEOUT)
    except LookupError as exc:
        print(f" [!] The report failed: {exc!r}")
    error = result.get(timeout=TIMEOUT, propagate=False)  # the result itself, not raised
    print(f" [!] The chord's result is {result.state}: {error!r}")
    show("chord-error", {"state": result.state, "error": type(error).__name__})

    # 2. Handle it: each query turns its own failure into a result, so the chord completes
    #    and the report says what is missing.
    workflow = chord((query_sales_or_gap.s(db) for db in databases), merge_report.s())
    print(" [x] Sending the same chord with query_sales_or_gap")
    show("partial-report", workflow().get(timeout=TIMEOUT))


WORKFLOWS = {
    "signatures": signatures, "chain": chains, "group": groups, "report": report,
    "many": many_small, "immutable": immutable, "failing": failing,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run lesson 16's workflows and print their results.")
    parser.add_argument("workflows", nargs="*", metavar="WORKFLOW",
                        help=f"which ones to run: {', '.join(WORKFLOWS)} (default: all, in order)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.workflows if name not in WORKFLOWS]
    if unknown:
        parser.error(f"no workflow named {', '.join(unknown)}; choose from {', '.join(WORKFLOWS)}")
    for name in args.workflows or WORKFLOWS:
        WORKFLOWS[name]()


if __name__ == "__main__":
    main()
