"""Write-through to the DynamoDB table `products` and its cache (lab cache-write-through).

Run with `inv lab.run cache-write-through`: the runner points boto3 at your
sandbox and the cache URL is found for you (below); the checker then calls
save_item() itself.
"""

import functools
import json  # noqa: F401  (the cache holds items as JSON)
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
    """Store `item` (a dict of strings with an "id") in the table and in the cache.

    The cache entry is the item as JSON under cache_key(item["id"]), so that
    readers never see an older version than the table holds.
    """
    raise NotImplementedError("write table() and cache() together")
