"""Near-misses and alternatives for dynamodb-fix-ttl (they run on the broken state setup seeds)."""

import json
import subprocess
import sys
import time

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.dynamodb_fix_ttl import convert_items, repoint_ttl, solve


def sessions(aws) -> list[dict]:
    return aws.dynamodb.scan(TableName=aws.names.table)["Items"]


def set_value(aws, item, value: dict):
    aws.dynamodb.update_item(TableName=aws.names.table, Key={aws.names.key: item[aws.names.key]},
                             UpdateExpression="SET #a = :v", ExpressionAttributeNames={"#a": aws.names.attribute},
                             ExpressionAttributeValues={":v": value})


def seconds_of(item, attribute) -> int:
    return int(item[attribute]["N"]) // 1000


def repoint(aws):
    repoint_ttl(aws.dynamodb, aws.names.table, aws.names.wrong_attribute, aws.names.attribute)


def items_still_in_ms(aws):
    repoint(aws)


def ttl_still_on_expiry(aws):
    convert_items(aws.dynamodb, aws.names.table, aws.names.key, aws.names.attribute)


def converted_to_strings(aws):
    repoint(aws)
    for item in sessions(aws):
        set_value(aws, item, {"S": str(seconds_of(item, aws.names.attribute))})


def some_left_unconverted(aws):
    repoint(aws)
    for item in sorted(sessions(aws), key=lambda i: i[aws.names.key]["S"])[:4]:
        set_value(aws, item, {"N": str(seconds_of(item, aws.names.attribute))})


def ttl_only_disabled(aws):
    aws.dynamodb.update_time_to_live(TableName=aws.names.table, TimeToLiveSpecification={
        "Enabled": False, "AttributeName": aws.names.wrong_attribute})
    ttl_still_on_expiry(aws)


def sessions_replaced(aws):
    """Deletes the broken sessions and writes three fresh ones: TTL works, but six users are logged out."""
    repoint(aws)
    for item in sessions(aws):
        aws.dynamodb.delete_item(TableName=aws.names.table, Key={aws.names.key: item[aws.names.key]})
    for number in range(3):
        aws.dynamodb.put_item(TableName=aws.names.table, Item={
            aws.names.key: {"S": f"new-{number}"}, aws.names.attribute: {"N": str(int(time.time()) + 3600)}})


def renamed_the_attribute(aws):
    """Writes seconds into `expiry` so the old TTL setting works; expires_at keeps milliseconds."""
    for item in sessions(aws):
        aws.dynamodb.update_item(TableName=aws.names.table, Key={aws.names.key: item[aws.names.key]},
                                 UpdateExpression="SET expiry = :v", ExpressionAttributeValues={
                                     ":v": {"N": str(seconds_of(item, aws.names.attribute))}})


NEAR_MISSES = [
    NearMiss("TTL re-pointed, items still in milliseconds", step=2, expect="epoch milliseconds",
             apply=items_still_in_ms),
    NearMiss("items fixed, TTL still on expiry", step=1, expect="on `expiry`; expected `expires_at`",
             apply=ttl_still_on_expiry),
    NearMiss("items converted to strings", step=2, expect="TTL reads only Numbers", apply=converted_to_strings),
    NearMiss("some items left unconverted", step=2, expect="2 of 6 item(s) would never expire",
             apply=some_left_unconverted),
    NearMiss("TTL disabled but not re-enabled", step=1, expect="has TTL DISABLED", apply=ttl_only_disabled),
    NearMiss("sessions deleted and replaced", step=2, expect="no longer holds 6 of the 6 seeded sessions",
             apply=sessions_replaced),
    NearMiss("seconds copied into expiry instead", step=1, expect="on `expiry`", apply=renamed_the_attribute),
]


def aws_cli(aws):
    """The learner's shell: `aws dynamodb` to look, re-point TTL and update each item."""
    names, env = aws.names, aws.learner_env()

    def run(*args) -> dict:
        done = subprocess.run([sys.executable, "-m", "awscli", "dynamodb", *args, "--output", "json"], env=env,
                              check=True, capture_output=True, text=True)
        return json.loads(done.stdout or "{}")

    run("update-time-to-live", "--table-name", names.table,
        "--time-to-live-specification", f"Enabled=false,AttributeName={names.wrong_attribute}")
    run("update-time-to-live", "--table-name", names.table,
        "--time-to-live-specification", f"Enabled=true,AttributeName={names.attribute}")
    for item in run("scan", "--table-name", names.table)["Items"]:
        seconds = int(item[names.attribute]["N"]) // 1000
        run("update-item", "--table-name", names.table, "--key", json.dumps({names.key: item[names.key]}),
            "--update-expression", f"SET {names.attribute} = :s",
            "--expression-attribute-values", json.dumps({":s": {"N": str(seconds)}}))


def resource_api_rewrite(aws):
    """boto3's resource API: rewrite whole items with a batch writer, rounding to the nearest second."""
    names = aws.names
    client = aws.dynamodb
    client.update_time_to_live(TableName=names.table, TimeToLiveSpecification={
        "Enabled": False, "AttributeName": names.wrong_attribute})
    client.update_time_to_live(TableName=names.table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": names.attribute})
    table = aws.resource("dynamodb").Table(names.table)
    items = table.scan()["Items"]  # Decimals
    with table.batch_writer() as batch:
        for item in items:
            item[names.attribute] = round(item[names.attribute] / 1000)
            batch.put_item(Item=item)


def batch_write_client(aws):
    """Solved from the lab text: TTL with two client calls, items rewritten whole with batch_write_item."""
    names, client = aws.names, aws.dynamodb
    for enabled, attribute in ((False, names.wrong_attribute), (True, names.attribute)):
        client.update_time_to_live(TableName=names.table, TimeToLiveSpecification={
            "Enabled": enabled, "AttributeName": attribute})
    requests = []
    for item in client.scan(TableName=names.table)["Items"]:
        if int(item[names.attribute]["N"]) > 10**11:
            item[names.attribute] = {"N": str(int(item[names.attribute]["N"]) // 1000)}
        requests.append({"PutRequest": {"Item": item}})
    client.batch_write_item(RequestItems={names.table: requests})


ALTERNATIVES = [
    Alternative("AWS CLI", apply=aws_cli),
    Alternative("client batch_write_item of whole items", apply=batch_write_client),
    Alternative("resource API, whole items rewritten", apply=resource_api_rewrite),
    Alternative("items first, then TTL", apply=lambda aws: (ttl_still_on_expiry(aws), solve(aws))),
]

test_near_miss = near_miss_test("dynamodb-fix-ttl", NEAR_MISSES)
test_alternative = alternative_test("dynamodb-fix-ttl", ALTERNATIVES)
