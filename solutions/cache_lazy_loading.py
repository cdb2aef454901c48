"""Reference solution: lazy loading (cache-aside) in front of a DynamoDB table."""

import functools
import json
import os
import urllib.request

import boto3
import redis

TABLE = "products"
TTL_SECONDS = 300
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


def get_item(item_id: str) -> dict | None:
    cached = cache().get(cache_key(item_id))
    if cached is not None:  # a hit: the table is not touched at all
        return json.loads(cached)
    item = table().get_item(Key={"id": item_id}).get("Item")
    if item is not None:
        # The TTL bounds how stale a cached copy can get when the table changes behind it.
        cache().set(cache_key(item_id), json.dumps(item), ex=TTL_SECONDS)
    return item


def solve(aws):
    """The table the cache sits in front of; the checker calls get_item itself."""
    name = aws.names.table
    if name not in aws.dynamodb.list_tables()["TableNames"]:  # CreateTable twice fails
        aws.dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                  AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                  KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    aws.dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
