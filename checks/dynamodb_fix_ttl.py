"""Checker for dynamodb-fix-ttl: TTL re-pointed to expires_at, every seeded session rewritten in epoch seconds."""

import re
import time

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

# The sessions setup seeds; the learner repairs them in place (deleting a session logs its user out).
SESSIONS = ("sess-alice", "sess-bob", "sess-carol", "sess-dave", "sess-erin", "sess-frank")
HOUR = 3600
HORIZON = 30 * 24 * HOUR  # seeded sessions end within a day; anything past 30 days is not a conversion
SLACK = 24 * HOUR  # a session that ended while the learner worked is still in seconds


def setup(aws):
    """A sessions table whose TTL watches `expiry` (no item has it) and whose items hold milliseconds."""
    names, dynamodb = aws.names, aws.dynamodb
    dynamodb.create_table(TableName=names.table, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": names.key, "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": names.key, "AttributeType": "S"}])
    dynamodb.get_waiter("table_exists").wait(TableName=names.table)
    dynamodb.update_time_to_live(TableName=names.table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": names.wrong_attribute})
    now_ms = int(time.time() * 1000)  # the classic bug: a JavaScript Date.now() written as the expiry
    for number, session in enumerate(SESSIONS, start=1):
        dynamodb.put_item(TableName=names.table, Item={
            names.key: {"S": session},
            "user": {"S": session.removeprefix("sess-")},
            names.attribute: {"N": str(now_ms + number * 4 * HOUR * 1000)},
        })


def check(aws):
    yield from steps(aws, ttl_on_expires_at, sessions_in_seconds)


def table_exists(aws) -> bool:
    return fetch(aws.dynamodb.describe_table, TableName=aws.names.table) is not None


def ttl_on_expires_at(aws):
    names = aws.names
    if not table_exists(aws):
        return failed(f"Table {names.table} does not exist any more, so it has no TTL to repair.")
    ttl = aws.dynamodb.describe_time_to_live(TableName=names.table)["TimeToLiveDescription"]
    status, attribute = ttl.get("TimeToLiveStatus", "DISABLED"), ttl.get("AttributeName")
    if status in ("DISABLED", "DISABLING"):
        return failed(f"Table {names.table} has TTL {status}; expected it enabled on {names.attribute}.",
                      hint=f"Disabling TTL on {names.wrong_attribute} was half the fix: now enable it on "
                           f"{names.attribute}.")
    if attribute != names.attribute:
        return failed(f"TTL on table {names.table} is {status} on `{attribute}`; expected `{names.attribute}`, "
                      "the attribute the sessions carry.",
                      hint=f"Disable TTL on {attribute} (Enabled false), then enable it on {names.attribute}.")
    return passed(f"Table {names.table} has TTL {status} on {names.attribute}.")


def scan_all(aws) -> list[dict]:
    pages = aws.dynamodb.get_paginator("scan").paginate(TableName=aws.names.table)
    return [item for page in pages for item in page["Items"]]


def in_window(seconds: float, now: float) -> bool:
    return now - SLACK <= seconds <= now + HORIZON + SLACK


def problem_with(value: dict | None, attribute: str, now: float) -> str | None:
    """Why one item's TTL value would never expire it, or None when it is epoch seconds."""
    if value is None:
        return f"has no {attribute}"
    if "S" in value:
        if re.fullmatch(r"\d+", value["S"]):
            return f"stores {attribute} as the String {value['S']!r}; TTL reads only Numbers"
        return f"stores {attribute} as the String {value['S']!r}; TTL needs a Number of epoch seconds"
    if "N" not in value:
        return f"stores {attribute} as type {next(iter(value))}; TTL needs a Number of epoch seconds"
    number = float(value["N"])
    if in_window(number / 1000, now):
        return f"still has {attribute} {value['N']}, which is epoch milliseconds, not seconds"
    if not in_window(number, now):
        return f"has {attribute} {value['N']}, which is not the session's end in epoch seconds"
    return None


def sessions_in_seconds(aws):
    names = aws.names
    if not table_exists(aws):
        return failed(f"Table {names.table} does not exist any more, so its sessions are gone.")
    items, now = scan_all(aws), time.time()
    by_key = {item.get(names.key, {}).get("S"): item for item in items}
    gone = [session for session in SESSIONS if session not in by_key]
    if gone:
        return failed(f"Table {names.table} no longer holds {len(gone)} of the {len(SESSIONS)} seeded sessions "
                      f"({', '.join(gone)}); convert them in place instead of deleting them.")
    wrong = [(key, why) for key, item in by_key.items()
             if (why := problem_with(item.get(names.attribute), names.attribute, now))]
    if wrong:
        key, why = wrong[0]
        return failed(f"In table {names.table}, {len(wrong)} of {len(items)} item(s) would never expire: item "
                      f"{key} {why}.",
                      hint="Divide each millisecond value by 1000 and store it as a Number (type N).")
    return passed(f"All {len(items)} items in {names.table} carry {names.attribute} as a Number of epoch seconds.")
