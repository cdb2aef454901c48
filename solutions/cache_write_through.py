"""Reference solution: write-through, every save goes to the table and to the cache."""

import functools
import json
import os
import urllib.request

import boto3
import redis

TABLE = "products"
TTL_SECONDS = 3600  # optional with write-through: lets entries nobody reads expire
KEY_PREFIX = os.environ.get("LABS_ACCOUNT_ID", "local") + ":"  # your sandbox's keys in the shared cache


def redis_url() -> str:
    """The lab cache: LABS_REDIS_URL, or the one the local emulator announces."""
    if os.environ.get("LABS_REDIS_URL"):
        return os.environ["LABS_REDIS_URL"]
    with urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"] + "/_labrunner/cache", timeout=5) as answer:
        return json.loads(answer.read())["url"]


@functools.cache
def cache() -> redis.Redis:
    return redis.Redis.from_url(redis_url(), decode_responses=True)


@functools.cache
def table():
    return boto3.resource("dynamodb").Table(TABLE)


def cache_key(item_id: str) -> str:
    return f"{KEY_PREFIX}product:{item_id}"


def save_item(item: dict) -> None:
    # The table first: it is the source of truth, and if this write fails the cache
    # must not announce a version that was never stored.
    table().put_item(Item=item)
    # Then overwrite (never just delete) the cached copy, so the next read is a hit on fresh data.
    cache().set(cache_key(item["id"]), json.dumps(item), ex=TTL_SECONDS)


def solve(aws):
    """The table behind the cache; the checker calls save_item itself."""
    name = aws.names.table
    if name not in aws.dynamodb.list_tables()["TableNames"]:  # CreateTable twice fails
        aws.dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                  AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                  KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    aws.dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
