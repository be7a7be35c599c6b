"""The shared broker's settings as its management API shows them. Lessons that start nodes of
their own (a memory alarm, TLS listeners, users of their own) must leave them as they were."""

from __future__ import annotations

from lessons.management import Management


def settings() -> dict:
    api = Management()
    overview = api.get("overview")
    return {
        "listeners": sorted((item["node"], item["protocol"], item["port"]) for item in overview["listeners"]),
        "limits": {node["name"]: (node.get("mem_limit"), node.get("disk_free_limit")) for node in api.get("nodes")},
        "alarms": {node["name"]: (node.get("mem_alarm"), node.get("disk_free_alarm")) for node in api.get("nodes")},
        "users": {user["name"]: sorted(user["tags"]) if isinstance(user["tags"], list) else user["tags"]
                  for user in api.get("users")},
    }


def assert_unchanged(before: dict, lesson_users: tuple[str, ...] = ()) -> None:
    after = settings()
    assert after["listeners"] == before["listeners"]
    assert after["limits"] == before["limits"]
    assert after["alarms"] == before["alarms"]
    # Other test sessions may add or remove users of their own meanwhile: every user that was
    # there is still there with the same tags, and none of the lesson's users appeared.
    for user, tags in before["users"].items():
        assert after["users"].get(user) == tags, f"user {user} changed on the shared broker"
    assert not set(lesson_users) & set(after["users"]), "a lesson's user was created on the shared broker"
