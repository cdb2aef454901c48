"""Near-misses and alternatives for cache-lazy-loading."""

import functools
import subprocess
import sys

from labrunner.catalog import ROOT
from labrunner.harness import call_function
from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test, require

REFERENCE = (ROOT / "solutions" / "cache_lazy_loading.py").read_text()
HEADER = REFERENCE.split("def get_item")[0]  # imports, redis_url(), cache(), table(), cache_key()


def variant(old: str, new: str) -> str:
    """The reference workspace file with one mistake written into it."""
    assert old in REFERENCE, f"the reference no longer contains {old!r}"
    return REFERENCE.replace(old, new)


NEVER_READS_CACHE = HEADER + '''
def get_item(item_id):
    item = table().get_item(Key={"id": item_id}).get("Item")
    if item is not None:
        cache().set(cache_key(item_id), json.dumps(item), ex=TTL_SECONDS)
    return item
'''

READS_BOTH = HEADER + '''
def get_item(item_id):
    item = table().get_item(Key={"id": item_id}).get("Item")  # "just to be sure"
    cached = cache().get(cache_key(item_id))
    if cached is not None:
        return json.loads(cached)
    cache().set(cache_key(item_id), json.dumps(item), ex=TTL_SECONDS)
    return item
'''

NEAR_MISSES = [
    NearMiss("no TTL", step=3, expect="has no TTL",
             code=variant("json.dumps(item), ex=TTL_SECONDS)", "json.dumps(item))")),
    NearMiss("TTL of 30 days", step=3, expect="at most 1 day",
             code=variant("ex=TTL_SECONDS)", "ex=30 * 24 * 3600)")),
    NearMiss("cache never read", step=4, expect="the cache was never read", code=NEVER_READS_CACHE),
    NearMiss("table read on every hit", step=4, expect="still called GetItem", code=READS_BOTH),
    NearMiss("cache never filled", step=2, expect="left no cache entry",
             code=variant("        cache().set(cache_key(item_id), json.dumps(item), ex=TTL_SECONDS)\n",
                          "        pass\n")),
    NearMiss("cache key without the sandbox prefix", step=2, expect="left no cache entry",
             code=variant('return f"{KEY_PREFIX}product:{item_id}"', 'return f"product:{item_id}"')),
    NearMiss("item cached with str(), not JSON", step=2, expect="expected the item as JSON",
             code=variant("cache().set(cache_key(item_id), json.dumps(item)", "cache().set(cache_key(item_id), str(item)")),
]

SETEX_WITH_LOW_LEVEL_CLIENT = HEADER + '''
from boto3.dynamodb.types import TypeDeserializer

dynamodb = boto3.client("dynamodb")


def get_item(item_id):
    key = cache_key(item_id)
    hit = cache().get(key)
    if hit:
        return json.loads(hit)
    found = dynamodb.get_item(TableName=TABLE, Key={"id": {"S": item_id}}, ConsistentRead=True).get("Item")
    if not found:
        return None
    item = {name: TypeDeserializer().deserialize(value) for name, value in found.items()}
    cache().setex(key, 3600, json.dumps(item, sort_keys=True))
    return item
'''


def table_from_cli(aws):
    subprocess.run([sys.executable, "-m", "awscli", "dynamodb", "create-table", "--table-name", aws.names.table,
                    "--attribute-definitions", "AttributeName=id,AttributeType=S",
                    "--key-schema", "AttributeName=id,KeyType=HASH",
                    "--provisioned-throughput", "ReadCapacityUnits=5,WriteCapacityUnits=5"],
                   env=aws.learner_env(), check=True, capture_output=True)


ALTERNATIVES = [
    Alternative("low-level client, setex, an hour", code=SETEX_WITH_LOW_LEVEL_CLIENT),
    Alternative("provisioned table from the AWS CLI", apply=table_from_cli),
]

test_near_miss = near_miss_test("cache-lazy-loading", NEAR_MISSES)
test_alternative = alternative_test("cache-lazy-loading", ALTERNATIVES)


def test_workspace_finds_the_cache_without_labs_redis_url(lab_sandbox):
    """A shell without LABS_REDIS_URL (an older `lab.env`): the code asks the emulator for the cache's address."""
    lab, checker, learner = lab_sandbox("cache-lazy-loading", code_path=ROOT / "solutions" / "cache_lazy_loading.py")
    require(learner.backend, "redis_cache")
    lab.solution_module().solve(learner)
    checker.dynamodb.put_item(TableName=checker.names.table, Item={"id": {"S": "p-1"}, "name": {"S": "lamp"}})
    env = learner.learner_env()
    assert env.pop("LABS_REDIS_URL")
    call = functools.partial(call_function, learner.code_path, env=env, timeout=30)
    assert call("get_item", ["p-1"]) == {"id": "p-1", "name": "lamp"}
    assert call("get_item", ["p-404"]) is None
