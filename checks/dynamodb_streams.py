"""Checker for dynamodb-streams: a table streaming both images, and read_changes() reading every shard.

The checker writes a test item, rolls the stream over to a new shard (where the
backend serves ``stream_shard_rollover``: moto, through the runner's extension;
AWS rolls shards over on its own), updates the item, then calls the learner's
read_changes() and looks for both changes.
"""

import secrets
import time

from labrunner.backends.moto_ext.dynamodb_stream_shards import request_rotation
from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

EXPECTED_VIEW = "NEW_AND_OLD_IMAGES"
POLL_SECONDS = 5.0  # AWS delivers stream records within about a second


def check(aws):
    yield from steps(aws, table_exists, stream_has_both_images, code_reads_every_change)


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


def stream_problem(description) -> str | None:
    spec = (description or {}).get("StreamSpecification") or {}
    if not spec.get("StreamEnabled"):
        return "has no stream enabled"
    if spec.get("StreamViewType") != EXPECTED_VIEW:
        return f"streams {spec.get('StreamViewType')} records"
    return None


def stream_has_both_images(aws):
    table = aws.names.table
    description = describe(aws)
    if description is None:
        return failed(f"Table {table} does not exist, so it has no stream.")
    problem = stream_problem(description)
    if problem:
        return failed(f"Table {table} {problem}; expected a stream with view type {EXPECTED_VIEW}.",
                      hint="UpdateTable with StreamSpecification={'StreamEnabled': True, "
                           f"'StreamViewType': '{EXPECTED_VIEW}'}} (disable first to change the view type).")
    return passed(f"Table {table} streams {EXPECTED_VIEW} records ({description['LatestStreamArn']}).")


def make_changes(aws, item_id: str) -> None:
    """INSERT in the current shard, MODIFY in the next one."""
    table, key = aws.names.table, aws.names.key
    aws.dynamodb.put_item(TableName=table, Item={key: {"S": item_id}, "status": {"S": "PLACED"}})
    if aws.backend.serves("stream_shard_rollover"):
        request_rotation(aws.endpoint, aws.account_id, aws.region, table)
    aws.dynamodb.update_item(TableName=table, Key={key: {"S": item_id}}, UpdateExpression="SET #s = :s",
                             ExpressionAttributeNames={"#s": "status"},
                             ExpressionAttributeValues={":s": {"S": "SHIPPED"}})


def records_for(records, key: str, item_id: str) -> dict:
    """The test item's records by event name."""
    found = {}
    for record in records:
        keys = (record.get("dynamodb") or {}).get("Keys") or {} if isinstance(record, dict) else {}
        if keys.get(key, {}).get("S") == item_id:
            found.setdefault(record.get("eventName"), record)
    return found


def status_in(record, image: str):
    return ((record.get("dynamodb") or {}).get(image) or {}).get("status", {}).get("S")


def call_until_complete(aws, item_id: str):
    """Call read_changes until both changes show up or the poll time is over."""
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        records = aws.call_code("read_changes", aws.names.table)
        if not isinstance(records, list):
            return records, {}
        found = records_for(records, aws.names.key, item_id)
        if {"INSERT", "MODIFY"} <= set(found) or time.monotonic() > deadline:
            return records, found
        time.sleep(0.5)


def iterator_calls(aws, since: int):
    if not aws.journal.available:
        return None
    return aws.journal.calls("GetShardIterator", since=since)


def shards_missed(aws, since: int) -> str:
    """A clause naming the shards read_changes never opened, from the journal."""
    calls = iterator_calls(aws, since)
    if calls is None:
        return ""
    arn = describe(aws)["LatestStreamArn"]
    listed = [s["ShardId"] for s in aws.dynamodbstreams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]]
    opened = {c.params.get("ShardId") for c in calls}
    types = sorted({c.params.get("ShardIteratorType") for c in calls} - {None})
    missed = [s for s in listed if s not in opened]
    if missed:
        return f" (it opened {len(listed) - len(missed)} of the {len(listed)} shards the stream lists)"
    if "LATEST" in types:
        return " (it asked for LATEST iterators, which start after the newest record)"
    return ""


def code_reads_every_change(aws):
    table, key = aws.names.table, aws.names.key
    description = describe(aws)
    if description is None or stream_problem(description) == "has no stream enabled":
        return failed(f"Table {table} has no stream, so read_changes has nothing to read.")
    item_id = f"lab-check-{secrets.token_hex(4)}"
    make_changes(aws, item_id)
    since = aws.journal.mark() if aws.journal.available else 0
    try:
        records, found = call_until_complete(aws, item_id)
    finally:
        aws.dynamodb.delete_item(TableName=table, Key={key: {"S": item_id}})
    if not isinstance(records, list):
        return failed(f"read_changes('{table}') returned a {type(records).__name__}; expected a list of records.")
    return judge(aws, records, found, item_id, since)


def judge(aws, records, found, item_id, since):
    table = aws.names.table
    where = f"read_changes('{table}') returned {len(records)} record(s)"
    if not found:
        return failed(f"{where}, none for the checker's test item {item_id}, which it inserted and then updated"
                      f"{shards_missed(aws, since)}; read every shard from TRIM_HORIZON.",
                      hint="LATEST starts after the newest record: use TRIM_HORIZON for each shard.")
    for event, place in (("INSERT", "an earlier, closed shard"), ("MODIFY", "the newer shard")):
        if event not in found:
            return failed(f"{where}, with no {event} for test item {item_id}, which the stream holds in {place}"
                          f"{shards_missed(aws, since)}; read every shard DescribeStream lists.",
                          hint="Loop over StreamDescription['Shards'], not just the first or last one.")
    modify = found["MODIFY"]
    old, new = status_in(modify, "OldImage"), status_in(modify, "NewImage")
    if (old, new) != ("PLACED", "SHIPPED"):
        return failed(f"{where}; the MODIFY of test item {item_id} should carry OldImage status PLACED and NewImage "
                      f"status SHIPPED, found {old} and {new}.")
    return passed(f"{where}, including the INSERT and the MODIFY of test item {item_id} with its old and new "
                  "images, read across every shard.")
