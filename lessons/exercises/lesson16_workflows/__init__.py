"""Exercise 16: the chord that merges three reports."""

import ast

from lessons.exercises import Exercise

EXPECTED = {"databases": ["eu", "us", "asia"], "orders": 12, "revenue": 1254}


def check(ck):
    ck.section("A worker starts (3 processes); report.py builds the report")
    worker = ck.start_worker(app="tasks", concurrency=3)
    run = ck.run_file("report.py", timeout=30, exits="print the report and exit")
    ck.require(run.returncode == 0, "report.py ran and exited with code 0", ck.diagnose(run))
    printed = run.matches(r"\[x\] Report: (\{.*\})")
    try:
        report = ast.literal_eval(printed[-1].group(1)) if printed else None
    except (ValueError, SyntaxError):
        report = None
    ck.expect(report == EXPECTED, f"it printed the report: {EXPECTED}",
              f"it printed {report!r}, not {EXPECTED} (as ' [x] Report: {{...}}').")

    ck.lines_soon(worker, r"query_sales\[\S+\] succeeded", 3)  # the log may lag behind the result
    ck.lines_soon(worker, r"merge_report\[\S+\] succeeded", 1, timeout=1.0)
    lines = list(worker.lines)
    received = [i for i, line in enumerate(lines) if "query_sales[" in line and "received" in line]
    done = [i for i, line in enumerate(lines) if "query_sales[" in line and "succeeded" in line]
    ck.expect(len(received) == 3 and len(done) == 3 and max(received) < min(done),
              "the three queries were sent at once and ran side by side on the worker",
              f"the worker ran {len(done)} queries, one after the other: the client waited for each "
              "before it sent the next. Send them together (a group)." if len(done) == 3 else
              f"the worker ran {len(done)} queries, not 3.")
    merges = [line for line in lines if "merge_report[" in line and "succeeded" in line]
    # Not checked from the log's order: the last query's process sends the body before it logs its
    # own "succeeded" line, so the body's lines may come first. The right report is the proof that
    # merge_report had all three results.
    ck.expect(len(merges) == 1 and report == EXPECTED,
              "merge_report ran on the worker, once, with the three queries' results (the chord's body)",
              "merge_report never ran on the worker: the client merged the parts itself. Let the workers "
              "do it when the last query is done (a chord's body)." if not merges else
              f"merge_report ran {len(merges)} times on the worker, not once." if len(merges) != 1 else
              "merge_report ran on the worker, but without all three queries' results.")

EXERCISES = (
    Exercise(
        name="chord-report",
        title="The chord that merges three reports",
        files=("report.py",),
        task="Rewrite report.py as one chord: the three queries side by side on the workers, then "
             "merge_report on a worker with their results; print the final report.",
        check=check,
        hints=(
            "Celery's canvas describes work as data: a signature is a task with its arguments, a "
            "group runs signatures side by side, and a chord is a group plus a task that gets the "
            "list of the group's results.",
            "query_sales.s(\"eu\") is a signature. chord(header, body): the header is the three "
            "query signatures, the body is merge_report.s() (its argument, the list, is added by "
            "the chord). Calling the chord sends it; .get(timeout=...) on what it returns waits.",
            "    from celery import chord\n"
            "    workflow = chord((query_sales.s(db) for db in DATABASES), merge_report.s())\n"
            "    report = workflow.delay().get(timeout=TIMEOUT)",
        ),
        starter_says=r"\[no\] merge_report never ran on the worker: the client merged the parts itself",
        deadline=75,
    ),
)
