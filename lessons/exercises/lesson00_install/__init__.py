"""Exercise 0: a preflight check that exits non-zero when the broker lacks a plugin or is too old."""

import socket

from lessons import settings
from lessons.exercises import Exercise
from lessons.management import Management

ABSENT = "rabbitmq_exercise00_absent"  # a plugin no broker has


def numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("+")[0].split("-")[0].split("."))


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check(ck):
    version = Management().overview()["rabbitmq_version"]
    major, minor, patch = (numbers(version) + (0, 0, 0))[:3]
    env = {"MANAGEMENT_URL": settings.MANAGEMENT_URL}

    def preflight(*args, name="preflight", url=None):
        return ck.run_file("preflight.py", *args, name=name, timeout=20,
                           env={"MANAGEMENT_URL": url} if url else env)

    ck.section(f"The broker runs RabbitMQ {version}, with rabbitmq_management: all holds")
    same = f"{major}.{minor}"
    ok = preflight("--plugin", "rabbitmq_management", "--min-version", same)
    ck.require(ok.returncode == 0, f"--plugin rabbitmq_management --min-version {same}: exit 0",
               f"--plugin rabbitmq_management --min-version {same} exited {ok.returncode}, but the broker runs "
               f"RabbitMQ {version} with that plugin: it should exit 0. {ck.diagnose(ok)}")
    older = f"{major}.{max(minor - 1, 0)}" if major == 3 else f"{major - 1}.{minor + 9}"
    # '3.9' against 3.10.8, '3.12' against 4.3.6: lower as numbers, higher as text for 3.x.
    lower = preflight("--plugin", "rabbitmq_management", "--min-version", older)
    ck.expect(lower.returncode == 0, f"--min-version {older}: exit 0 ({version} is higher, as numbers)",
              f"--min-version {older} exited {lower.returncode}, but RabbitMQ {version} is higher than "
              f"{older}: compare the versions as numbers, not as text ('3.10' < '3.9' as text).")

    ck.section("A plugin the broker does not have")
    missing = preflight("--plugin", ABSENT)
    ck.expect(missing.returncode == 1 and ABSENT in missing.output.replace(f"--plugin {ABSENT}", ""),
              f"--plugin {ABSENT}: exit 1, and it names the missing plugin",
              f"--plugin {ABSENT} exited {missing.returncode}: no node has that plugin, so it should say "
              "which plugin is missing and exit 1 (sys.exit(1)); a deploy script would go ahead now.")

    ck.section("A broker older than the app needs")
    newer = f"{major}.{minor}.{patch + 10}"  # higher as numbers; lower as text when patch >= 2
    too_old = preflight("--plugin", "rabbitmq_management", "--min-version", newer)
    ck.expect(too_old.returncode == 1,
              f"--min-version {newer}: exit 1 (RabbitMQ {version} is older)",
              f"--min-version {newer} exited {too_old.returncode}, but RabbitMQ {version} is older than "
              f"{newer}: it should say so and exit 1. Compare the parts as numbers: ({patch} < {patch + 10}).")

    ck.section("No management API at all (a port where nothing listens)")
    port = dead_port()
    down = preflight("--plugin", "rabbitmq_management", name="preflight (API down)",
                     url=f"http://course:course@127.0.0.1:{port}/api/")
    ck.expect(down.returncode != 0, f"with nothing on port {port}, it does not say ready: exit {down.returncode}",
              f"with nothing listening on port {port}, it exited 0: a preflight that cannot ask must not "
              "say ready.")


EXERCISES = (
    Exercise(
        name="preflight",
        title="A preflight check a deploy script can trust",
        files=("preflight.py",),
        task="Make preflight.py exit 1, saying why, when the plugin given with --plugin is not enabled on "
             "the broker or its version is lower than --min-version; exit 0 only when both hold.",
        check=check,
        hints=(
            "A deploy script only sees the exit code: sys.exit(1) (or raise SystemExit(1)) when a fact "
            "does not hold, after a line that says which one. The management API already gave you "
            "node['enabled_plugins'] (a list of names) and overview['rabbitmq_version'].",
            "Versions are not text: '3.10.8' < '3.9' as strings. Turn them into tuples of numbers, "
            "tuple(int(part) for part in version.split('.')), and compare the tuples.",
            "    problems = []\n"
            "    if args.plugin not in enabled:\n"
            "        problems.append(f\"the plugin {args.plugin} is not enabled\")\n"
            "    if as_numbers(version) < as_numbers(args.min_version):\n"
            "        problems.append(f\"RabbitMQ {version} is older than {args.min_version}\")\n"
            "    for problem in problems:\n"
            "        print(f\" [!] Not ready: {problem}\")\n"
            "    if problems:\n"
            "        sys.exit(1)",
        ),
        starter_says=r"\[no\] --plugin rabbitmq_exercise00_absent exited 0",
        deadline=60,
    ),
)
