"""Near-misses and alternatives for dynamodb-ttl."""

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.dynamodb_ttl import create_table, enable_ttl, solve


def table_with_ttl(aws, attribute=None):
    create_table(aws.dynamodb, aws.names.table, aws.names.key)
    enable_ttl(aws.dynamodb, aws.names.table, attribute or aws.names.attribute)


def put_sessions(aws, value_of):
    for number in range(1, 4):
        aws.dynamodb.put_item(TableName=aws.names.table, Item={
            aws.names.key: {"S": f"s-{number}"}, aws.names.attribute: value_of(number)})


def in_milliseconds(aws):
    table_with_ttl(aws)
    put_sessions(aws, lambda n: {"N": str(int(time.time() * 1000) + 3_600_000 * n)})


def iso_strings(aws):
    table_with_ttl(aws)
    put_sessions(aws, lambda n: {"S": (datetime.now(timezone.utc) + timedelta(hours=n)).isoformat()})


def digits_as_a_string(aws):
    table_with_ttl(aws)
    put_sessions(aws, lambda n: {"S": str(int(time.time()) + 3600 * n)})


def one_item_in_milliseconds(aws):
    solve(aws)
    aws.dynamodb.put_item(TableName=aws.names.table, Item={
        aws.names.key: {"S": "late"}, aws.names.attribute: {"N": str(int(time.time() * 1000))}})


def ttl_on_another_attribute(aws):
    table_with_ttl(aws, attribute="expiry")
    put_sessions(aws, lambda n: {"N": str(int(time.time()) + 3600 * n)})


def ttl_never_enabled(aws):
    create_table(aws.dynamodb, aws.names.table, aws.names.key)
    put_sessions(aws, lambda n: {"N": str(int(time.time()) + 3600 * n)})


def no_items(aws):
    table_with_ttl(aws)


def wrong_partition_key(aws):
    create_table(aws.dynamodb, aws.names.table, "id")


def a_year_ahead(aws):
    table_with_ttl(aws)
    put_sessions(aws, lambda n: {"N": str(int(time.time()) + 365 * 24 * 3600)})


NEAR_MISSES = [
    NearMiss("wrong partition key", step=1, expect="the lab expects session_id", apply=wrong_partition_key),
    NearMiss("TTL on expiry", step=2, expect="TTL on table sessions is enabled on `expiry`, the lab expects "
             "`expires_at`", apply=ttl_on_another_attribute),
    NearMiss("TTL never enabled", step=2, expect="has TTL DISABLED", apply=ttl_never_enabled),
    NearMiss("milliseconds", step=3, expect="in milliseconds", apply=in_milliseconds),
    NearMiss("one item in milliseconds", step=3, expect="1 of 4 item(s) would never expire", apply=one_item_in_milliseconds),
    NearMiss("ISO strings", step=3, expect="ISO date string", apply=iso_strings),
    NearMiss("digits in a String", step=3, expect="TTL reads only Numbers", apply=digits_as_a_string),
    NearMiss("no items", step=3, expect="holds 0 item(s)", apply=no_items),
    NearMiss("a year ahead", step=3, expect="not a time between now and 30 days", apply=a_year_ahead),
]


def aws_cli(aws):
    """The learner's shell: create, enable TTL and put items with `aws dynamodb`."""
    env, cli = aws.learner_env(), [sys.executable, "-m", "awscli", "dynamodb"]
    table, key, attribute = aws.names.table, aws.names.key, aws.names.attribute
    run = lambda *args: subprocess.run([*cli, *args], env=env, check=True, capture_output=True)  # noqa: E731
    run("create-table", "--table-name", table, "--key-schema", f"AttributeName={key},KeyType=HASH",
        "--attribute-definitions", f"AttributeName={key},AttributeType=S",
        "--provisioned-throughput", "ReadCapacityUnits=1,WriteCapacityUnits=1")
    run("update-time-to-live", "--table-name", table,
        "--time-to-live-specification", f"Enabled=true,AttributeName={attribute}")
    for number in range(3):
        item = {key: {"S": f"cli-{number}"}, attribute: {"N": str(int(time.time()) + 600)}}
        run("put-item", "--table-name", table, "--item", json.dumps(item))


def resource_api(aws):
    """boto3's resource API: plain Python ints become Numbers."""
    dynamodb = aws.resource("dynamodb")
    table = dynamodb.create_table(TableName=aws.names.table, BillingMode="PAY_PER_REQUEST",
                                  KeySchema=[{"AttributeName": aws.names.key, "KeyType": "HASH"}],
                                  AttributeDefinitions=[{"AttributeName": aws.names.key, "AttributeType": "S"}])
    table.wait_until_exists()
    table.meta.client.update_time_to_live(TableName=table.name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": aws.names.attribute})
    with table.batch_writer() as batch:
        for number in range(5):
            batch.put_item(Item={aws.names.key: f"r-{number}", aws.names.attribute: int(time.time()) + 86400})


def re_pointed_ttl(aws):
    """TTL first enabled on the wrong name, then disabled and enabled on the right one."""
    ttl_on_another_attribute(aws)
    aws.dynamodb.update_time_to_live(TableName=aws.names.table, TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "expiry"})
    enable_ttl(aws.dynamodb, aws.names.table, aws.names.attribute)
    aws.dynamodb.delete_item(TableName=aws.names.table, Key={aws.names.key: {"S": "s-1"}})
    solve(aws)


ALTERNATIVES = [
    Alternative("AWS CLI", apply=aws_cli),
    Alternative("resource API batch writer", apply=resource_api),
    Alternative("TTL re-pointed to the right attribute", apply=re_pointed_ttl),
]

test_near_miss = near_miss_test("dynamodb-ttl", NEAR_MISSES)
test_alternative = alternative_test("dynamodb-ttl", ALTERNATIVES)
