"""Near-misses and alternatives for cache-write-through."""

import subprocess
import sys

from labrunner.catalog import ROOT
from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test

REFERENCE = (ROOT / "solutions" / "cache_write_through.py").read_text()
HEADER = REFERENCE.split("def save_item")[0]  # imports, redis_url(), cache(), table(), cache_key()
TABLE_WRITE = "    table().put_item(Item=item)\n"
CACHE_WRITE = '    cache().set(cache_key(item["id"]), json.dumps(item), ex=TTL_SECONDS)\n'


def variant(old: str, new: str) -> str:
    """The reference workspace file with one mistake written into it."""
    assert old in REFERENCE, f"the reference no longer contains {old!r}"
    return REFERENCE.replace(old, new)


NEAR_MISSES = [
    NearMiss("cache updated, table not", step=2, expect="has no such item", code=variant(TABLE_WRITE, "")),
    NearMiss("table updated, cache not", step=3, expect="has no entry", code=variant(CACHE_WRITE, "")),
    NearMiss("cache entry deleted (invalidation)", step=3, expect="has no entry",
             code=variant(CACHE_WRITE, '    cache().delete(cache_key(item["id"]))\n')),
    NearMiss("cache written only when missing", step=4, expect="stale item",
             code=variant(CACHE_WRITE, '    cache().set(cache_key(item["id"]), json.dumps(item), nx=True)\n')),
    NearMiss("only the id cached", step=3, expect="expected the item as JSON",
             code=variant(CACHE_WRITE, '    cache().set(cache_key(item["id"]), item["id"])\n')),
    NearMiss("key without the sandbox prefix", step=3, expect="has no entry",
             code=variant('return f"{KEY_PREFIX}product:{item_id}"', 'return f"product:{item_id}"')),
]

PIPELINE_AND_LOW_LEVEL = HEADER + '''
dynamodb = boto3.client("dynamodb")


def save_item(item):
    dynamodb.put_item(TableName=TABLE, Item={name: {"S": value} for name, value in item.items()})
    with cache().pipeline() as pipe:  # no TTL: allowed, the table is the source of truth
        pipe.set(cache_key(item["id"]), json.dumps(item, sort_keys=True))
        pipe.execute()
'''


def table_from_cli(aws):
    subprocess.run([sys.executable, "-m", "awscli", "dynamodb", "create-table", "--table-name", aws.names.table,
                    "--attribute-definitions", "AttributeName=id,AttributeType=S",
                    "--key-schema", "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST"],
                   env=aws.learner_env(), check=True, capture_output=True)


ALTERNATIVES = [
    Alternative("low-level client, pipelined set without TTL", code=PIPELINE_AND_LOW_LEVEL),
    Alternative("table from the AWS CLI", apply=table_from_cli),
]

test_near_miss = near_miss_test("cache-write-through", NEAR_MISSES)
test_alternative = alternative_test("cache-write-through", ALTERNATIVES)
