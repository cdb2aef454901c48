"""Checker for dynamodb-ttl: the table, TTL on the right attribute, items in epoch seconds."""

import re
import time
from datetime import datetime

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

MIN_ITEMS = 3
HORIZON = 30 * 24 * 3600  # the lab asks for sessions ending within 30 days
SLACK = 24 * 3600  # a session that ended since the learner wrote it is still in seconds


def check(aws):
    yield from steps(aws, table_exists, ttl_enabled, items_expire_in_seconds)


def describe(aws):
    found = fetch(aws.dynamodb.describe_table, TableName=aws.names.table)
    return found["Table"] if found else None


def table_exists(aws):
    table, key = aws.names.table, aws.names.key
    description = describe(aws)
    if description is None:
        return failed(f"Table {table} does not exist; create it with partition key {key}.")
    hash_keys = [k["AttributeName"] for k in description["KeySchema"] if k["KeyType"] == "HASH"]
    if hash_keys != [key]:
        return failed(f"Table {table} has partition key {', '.join(hash_keys) or 'none'}; the lab expects {key}.")
    return passed(f"Table {table} exists with partition key {key}.")


def ttl_enabled(aws):
    table, attribute = aws.names.table, aws.names.attribute
    if describe(aws) is None:
        return failed(f"Table {table} does not exist, so it has no TTL setting.")
    ttl = aws.dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    status, name = ttl.get("TimeToLiveStatus", "DISABLED"), ttl.get("AttributeName")
    if status not in ("ENABLED", "ENABLING"):
        return failed(f"Table {table} has TTL {status}; expected it enabled on attribute {attribute}.",
                      hint="Call UpdateTimeToLive with Enabled true.")
    if name != attribute:
        return failed(f"TTL on table {table} is enabled on `{name}`, the lab expects `{attribute}`.",
                      hint=f"Disable TTL on {name}, then enable it on {attribute}.")
    return passed(f"Table {table} has TTL {status} on attribute {attribute}.")


def scan_all(aws):
    pages = aws.dynamodb.get_paginator("scan").paginate(TableName=aws.names.table)
    return [item for page in pages for item in page["Items"]]


def in_window(seconds: float, now: float) -> bool:
    return now - SLACK <= seconds <= now + HORIZON + SLACK


def looks_like_a_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def problem_with(value: dict | None, attribute: str, now: float) -> str | None:
    """Why one item's TTL value would never expire it, or None when it is right."""
    if value is None:
        return f"has no {attribute}"
    if "S" in value:
        text = value["S"]
        if re.fullmatch(r"\d+", text):
            return f"stores {attribute} as the String {text!r}; TTL reads only Numbers"
        if looks_like_a_date(text):
            return f"stores {attribute} as the ISO date string {text!r}; TTL needs a Number of epoch seconds"
        return f"stores {attribute} as the String {text!r}; TTL needs a Number of epoch seconds"
    if "N" not in value:
        return f"stores {attribute} as type {next(iter(value))}; TTL needs a Number of epoch seconds"
    number = float(value["N"])
    if in_window(number / 1000, now) or in_window(number / 1_000_000, now):
        return f"has {attribute} {value['N']}, which is in milliseconds (or finer), not seconds"
    if not in_window(number, now):
        return f"has {attribute} {value['N']}, which is not a time between now and 30 days from now in seconds"
    return None


def items_expire_in_seconds(aws):
    table, key, attribute = aws.names.table, aws.names.key, aws.names.attribute
    if describe(aws) is None:
        return failed(f"Table {table} does not exist, so it holds no sessions.")
    items, now = scan_all(aws), time.time()
    if len(items) < MIN_ITEMS:
        return failed(f"Table {table} holds {len(items)} item(s); the lab expects at least {MIN_ITEMS} sessions "
                      f"with {attribute} set.")
    problems = [(item.get(key, {}).get("S", "?"), problem_with(item.get(attribute), attribute, now)) for item in items]
    wrong = [(name, why) for name, why in problems if why]
    if wrong:
        name, why = wrong[0]
        return failed(f"In table {table}, {len(wrong)} of {len(items)} item(s) would never expire: item {name} {why}.",
                      hint="Store int(time.time()) + lifetime as a Number (type N).")
    return passed(f"Table {table} holds {len(items)} sessions, each with {attribute} as a Number of epoch seconds.")
