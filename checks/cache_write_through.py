"""Checker for cache-write-through: every save_item() reaches the table and the cache.

The checker calls the learner's save_item() with a tagged test item (then a
changed version of it), reads the table and the cache key under the sandbox's
own prefix, and removes its test item at the end.
"""

import json
import uuid

from labrunner import cache_server
from labrunner.grading import failed, not_verifiable, passed, steps
from labrunner.lookups import fetch

STEP_NEEDS = {2: ("redis_cache",), 3: ("redis_cache",), 4: ("redis_cache",)}


def check(aws):
    trial = Trial(aws)
    yield from steps(aws, trial.table_exists, trial.save_writes_table, trial.save_writes_cache,
                     trial.second_save_replaces_both)


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


def decode(text: str | None):
    try:
        return json.loads(text) if text is not None else None
    except ValueError:
        return None


class Trial:
    """One check run: a test item and the outcome of the learner's first save."""

    def __init__(self, aws) -> None:
        self.aws = aws
        self.url = cache_server.url_for(aws.endpoint)
        item_id = f"labcheck-{uuid.uuid4().hex[:12]}"
        self.item = {"id": item_id, "name": "desk lamp", "price": "19.90"}
        self.changed = {**self.item, "price": "24.50", "colour": "green"}
        self.key = f"{cache_server.key_prefix(aws.account_id)}product:{item_id}"
        self.saved = False

    def no_cache(self):
        return not_verifiable(f"No Redis-protocol cache server runs with the {self.aws.backend.name} backend, so "
                              "save_item() cannot be checked.")

    def table_item(self) -> dict | None:
        found = self.aws.dynamodb.get_item(TableName=self.aws.names.table, Key={"id": {"S": self.item["id"]}},
                                           ConsistentRead=True).get("Item")
        return None if found is None else {k: next(iter(v.values())) for k, v in found.items()}

    def cached(self) -> str | None:
        return cache_server.client(self.url).get(self.key)

    # ---- step 1 ----------------------------------------------------------

    def table_exists(self, aws):
        problem = table_problem(aws)
        if problem:
            return failed(f"{problem}; expected table {aws.names.table} with partition key id (String).")
        return passed(f"Table {aws.names.table} exists with partition key id.")

    # ---- step 2 ----------------------------------------------------------

    def save_writes_table(self, aws):
        if self.url is None:
            return self.no_cache()
        if table_problem(aws):
            return failed(f"Table {aws.names.table} is not ready, so save_item() cannot be tried.")
        cache_server.client(self.url).delete(self.key)
        cache_server.call_learner(aws, self.url, "save_item", self.item)
        self.saved = True
        stored = self.table_item()
        if stored is None:
            return failed(f"After save_item({self.item['id']!r}), table {aws.names.table} has no such item; "
                          "expected write-through to store it in the table as well as in the cache.",
                          hint="table().put_item(Item=item) in save_item.")
        if stored != self.item:
            return failed(f"After save_item, table {aws.names.table} holds {stored!r}; expected {self.item!r}.")
        return passed(f"save_item({self.item['id']!r}) stored the item in table {aws.names.table}.")

    # ---- step 3 ----------------------------------------------------------

    def save_writes_cache(self, aws):
        if self.url is None:
            return self.no_cache()
        if not self.saved:
            return failed("save_item() was not called, so the cache cannot be checked.")
        cached = self.cached()
        if cached is None:
            return failed(f"After save_item({self.item['id']!r}), the cache has no entry {self.key}; expected "
                          "write-through to store the item there too.",
                          hint="cache().set(cache_key(item[\"id\"]), json.dumps(item)) in save_item.")
        if decode(cached) != self.item:
            return failed(f"After save_item, the cache entry {self.key} holds {cached[:80]!r}; expected the item as "
                          f"JSON, {json.dumps(self.item)}.")
        return passed(f"save_item({self.item['id']!r}) stored the item in the cache under {self.key}.")

    # ---- step 4 ----------------------------------------------------------

    def second_save_replaces_both(self, aws):
        if self.url is None:
            return self.no_cache()
        if not self.saved:
            return failed("save_item() was not called, so a second save cannot be checked.")
        try:
            return self.second_save(aws)
        finally:
            cache_server.client(self.url).delete(self.key)
            aws.dynamodb.delete_item(TableName=aws.names.table, Key={"id": {"S": self.item["id"]}})

    def second_save(self, aws):
        cache_server.call_learner(aws, self.url, "save_item", self.changed)
        stored, cached = self.table_item(), decode(self.cached())
        if stored != self.changed:
            return failed(f"After saving a changed version of {self.item['id']!r}, table {aws.names.table} holds "
                          f"{stored!r}; expected the new version {self.changed!r}.")
        if cached != self.changed:
            return failed(f"After saving a changed version of {self.item['id']!r}, the cache entry {self.key} holds "
                          f"{cached!r}; expected the new version, so readers would get a stale item.",
                          hint="Overwrite the entry with set() on every save, not setnx().")
        return passed(f"A second save_item({self.item['id']!r}) replaced the item in table {aws.names.table} and in "
                      "the cache.")
