"""Lazy loading in front of the DynamoDB table `products` (lab cache-lazy-loading).

Run with `inv lab.run cache-lazy-loading`: the runner points boto3 at your
sandbox and the cache URL is found for you (below); the checker then calls
get_item() itself.
"""

import functools
import json  # noqa: F401  (the cache holds items as JSON)
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
    """The product `item_id` (a dict of strings), or None when the table has no such item.

    Read the cache first; on a miss, read the table and keep the item in the
    cache as JSON under cache_key(item_id), for TTL_SECONDS.
    """
    raise NotImplementedError("read cache() first, then table() on a miss")
