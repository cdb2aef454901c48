"""Checker for cache-lazy-loading: a miss fills the cache with a TTL, a hit skips the table.

The checker writes one tagged test item into the learner's table, calls the
learner's get_item() twice with the cache URL in its environment, and touches
only keys under the sandbox's own prefix.
"""

import json
import uuid

from labrunner import cache_server
from labrunner.grading import failed, not_verifiable, passed, steps
from labrunner.lookups import fetch

STEP_NEEDS = {2: ("redis_cache",), 3: ("redis_cache",), 4: ("redis_cache",)}

MAX_TTL = 24 * 3600
TABLE_READS = ("GetItem", "BatchGetItem", "Query", "Scan", "ExecuteStatement")


def check(aws):
    trial = Trial(aws)
    yield from steps(aws, trial.table_exists, trial.miss_fills_cache, trial.entry_has_ttl, trial.hit_skips_table)


def table_problem(aws) -> str | None:
    """Why the lab's table is not usable yet, or None."""
    name = aws.names.table
    table = fetch(aws.dynamodb.describe_table, TableName=name)
    if table is None:
        return f"Table {name} does not exist yet"
    keys = [(k["AttributeName"], k["KeyType"]) for k in table["Table"]["KeySchema"]]
    if keys != [("id", "HASH")]:
        return f"Table {name} has the key schema {keys}, not the single partition key id"
    return None


class Trial:
    """One check run: a test item, its cache key, what the learner's code returned."""

    def __init__(self, aws) -> None:
        self.aws = aws
        self.url = cache_server.url_for(aws.endpoint)
        self.item_id = f"labcheck-{uuid.uuid4().hex[:12]}"
        self.item = {"id": self.item_id, "name": "desk lamp", "price": "19.90"}
        self.key = f"{cache_server.key_prefix(aws.account_id)}product:{self.item_id}"
        self.first: dict | None = None

    def no_cache(self):
        return not_verifiable(f"No Redis-protocol cache server runs with the {self.aws.backend.name} backend, so "
                              "the cache cannot be checked.")

    # ---- step 1 ----------------------------------------------------------

    def table_exists(self, aws):
        problem = table_problem(aws)
        if problem:
            return failed(f"{problem}; expected table {aws.names.table} with partition key id (String).")
        return passed(f"Table {aws.names.table} exists with partition key id.")

    # ---- step 2 ----------------------------------------------------------

    def miss_fills_cache(self, aws):
        if self.url is None:
            return self.no_cache()
        if table_problem(aws):
            return failed(f"Table {aws.names.table} is not ready, so get_item() cannot be tried on a miss.")
        aws.dynamodb.put_item(TableName=aws.names.table, Item={k: {"S": v} for k, v in self.item.items()})
        cache = cache_server.client(self.url)
        cache.delete(self.key)
        self.first = cache_server.call_learner(aws, self.url, "get_item", self.item_id)
        if self.first != self.item:
            return failed(f"On a cache miss, get_item({self.item_id!r}) returned {self.first!r}; expected the item "
                          f"from table {aws.names.table}, {self.item!r}.")
        cached = cache.get(self.key)
        if cached is None:
            return failed(f"After a miss, get_item({self.item_id!r}) returned the item but left no cache entry "
                          f"under {self.key}; expected it to store the item there.",
                          hint="Use the starter's cache_key(item_id) and cache().set(...).")
        if decode(cached) != self.item:
            return failed(f"The cache entry {self.key} holds {cached[:80]!r}; expected the item as JSON, "
                          f"{json.dumps(self.item)}.")
        return passed(f"On a miss, get_item({self.item_id!r}) read table {aws.names.table} and cached the item "
                      f"under {self.key}.")

    # ---- step 3 ----------------------------------------------------------

    def entry_has_ttl(self, aws):
        if self.url is None:
            return self.no_cache()
        if self.first is None:
            return failed(f"get_item() did not run on a miss, so no cache entry {self.key} exists to carry a TTL.")
        ttl = cache_server.client(self.url).ttl(self.key)
        if ttl == -2:
            return failed(f"The cache entry {self.key} does not exist, so it has no TTL.")
        if ttl == -1:
            return failed(f"The cache entry {self.key} has no TTL, so a changed item would stay stale in the "
                          "cache forever; expected a TTL between 1 second and 1 day.",
                          hint="cache().set(key, value, ex=TTL_SECONDS).")
        if ttl > MAX_TTL:
            return failed(f"The cache entry {self.key} expires in {ttl} s; expected a TTL of at most 1 day "
                          f"({MAX_TTL} s).")
        return passed(f"The cache entry {self.key} expires in {ttl} s.")

    # ---- step 4 ----------------------------------------------------------

    def hit_skips_table(self, aws):
        if self.url is None:
            return self.no_cache()
        if self.first != self.item:
            return failed("get_item() did not return the test item on a miss, so a cache hit cannot be checked.")
        try:
            return self.second_read(aws)
        finally:
            cache_server.client(self.url).delete(self.key)
            aws.dynamodb.delete_item(TableName=aws.names.table, Key={"id": {"S": self.item_id}})

    def second_read(self, aws):
        cache = cache_server.client(self.url)
        if cache.get(self.key) is None:
            cache.set(self.key, json.dumps(self.item), ex=60)  # a TTL of a second must not decide this step
        aws.dynamodb.put_item(TableName=aws.names.table, Item={k: {"S": v} for k, v in
                                                               {**self.item, "name": "changed behind the cache"}.items()})
        mark = aws.journal.mark() if aws.journal.available else None
        second = cache_server.call_learner(aws, self.url, "get_item", self.item_id)
        if second != self.item:
            return failed(f"With {self.key} in the cache, get_item({self.item_id!r}) returned {second!r}, the "
                          f"table's new version; expected the cached item, so the cache was never read.",
                          hint="Read cache().get(cache_key(item_id)) first and return it when it is not None.")
        reads = [] if mark is None else [c.operation for c in aws.journal.calls(since=mark, service="dynamodb")
                                         if c.operation in TABLE_READS]
        if reads:
            return failed(f"With {self.key} in the cache, get_item({self.item_id!r}) still called "
                          f"{', '.join(sorted(set(reads)))} on table {aws.names.table}; expected no DynamoDB request "
                          "on a cache hit.")
        journal = " and sent no request to DynamoDB" if mark is not None else ""
        return passed(f"With {self.key} in the cache, get_item({self.item_id!r}) returned the cached item{journal}.")


def decode(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None
