"""Near-misses and alternatives for dynamodb-streams."""

import subprocess
import sys
from pathlib import Path

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.dynamodb_streams import solve

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / "dynamodb_streams.py").read_text()
STARTER = (ROOT / "labs" / "dynamodb" / "dynamodb-streams.starter.py").read_text()


def table_streaming(view_type):
    def apply(aws):
        aws.dynamodb.create_table(
            TableName=aws.names.table, BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
            KeySchema=[{"AttributeName": aws.names.key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": aws.names.key, "AttributeType": "S"}])
    return apply


def stream_turned_off(aws):
    solve(aws)
    aws.dynamodb.update_table(TableName=aws.names.table, StreamSpecification={"StreamEnabled": False})


def no_stream(aws):
    aws.dynamodb.create_table(TableName=aws.names.table, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": aws.names.key, "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": aws.names.key, "AttributeType": "S"}])


def keyed_by_id(aws):
    aws.dynamodb.create_table(TableName=aws.names.table, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])


def variant(old: str, new: str) -> str:
    assert old in REFERENCE, old
    return REFERENCE.replace(old, new)


LOOP = '    for shard in list_shards(streams, stream_arn):\n'
FIRST_SHARD_ONLY = variant(LOOP, '    for shard in list_shards(streams, stream_arn)[:1]:\n')
LAST_SHARD_ONLY = variant(LOOP, '    for shard in list_shards(streams, stream_arn)[-1:]:\n')
LATEST = variant('ShardIteratorType="TRIM_HORIZON"', 'ShardIteratorType="LATEST"')
NEW_IMAGES_ONLY = variant("    return plain(records)",
                          "    for r in records:\n        r['dynamodb'].pop('OldImage', None)\n    return plain(records)")

NEAR_MISSES = [
    NearMiss("wrong partition key", step=1, expect="the lab expects order_id", apply=keyed_by_id),
    NearMiss("KEYS_ONLY stream", step=2, expect="streams KEYS_ONLY records", apply=table_streaming("KEYS_ONLY")),
    NearMiss("NEW_IMAGE stream", step=2, expect="streams NEW_IMAGE records", apply=table_streaming("NEW_IMAGE")),
    NearMiss("no stream", step=2, expect="has no stream enabled", apply=no_stream),
    NearMiss("stream disabled later", step=2, expect="has no stream enabled", apply=stream_turned_off),
    NearMiss("starter left as is", step=3, expect="raised NotImplementedError", code=STARTER),
    NearMiss("first shard only", step=3, expect="no MODIFY", code=FIRST_SHARD_ONLY, needs=("stream_shard_rollover",)),
    NearMiss("last shard only", step=3, expect="no INSERT", code=LAST_SHARD_ONLY, needs=("stream_shard_rollover",)),
    NearMiss("LATEST iterator", step=3, expect="LATEST iterators", code=LATEST, needs=("journal",)),
    NearMiss("LATEST iterator, end state", step=3, expect="none for the checker's test item", code=LATEST),
    NearMiss("old images dropped", step=3, expect="found None and SHIPPED", code=NEW_IMAGES_ONLY),
]

LIST_STREAMS_CODE = '''
import json
import boto3


def read_changes(table_name):
    streams = boto3.client("dynamodbstreams")
    arn = streams.list_streams(TableName=table_name)["Streams"][0]["StreamArn"]
    out = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for _ in range(100):
            page = streams.get_records(ShardIterator=it, Limit=1)
            out.extend(page["Records"])
            it = page.get("NextShardIterator")
            if not it or not page["Records"]:
                break
    return json.loads(json.dumps(out, default=str))
'''


def cli_stream_by_update(aws):
    """The learner's shell: create the table, then turn the stream on with update-table."""
    env, cli = aws.learner_env(), [sys.executable, "-m", "awscli", "dynamodb"]
    table, key = aws.names.table, aws.names.key
    for args in (["create-table", "--table-name", table, "--key-schema", f"AttributeName={key},KeyType=HASH",
                  "--attribute-definitions", f"AttributeName={key},AttributeType=S",
                  "--billing-mode", "PAY_PER_REQUEST"],
                 ["update-table", "--table-name", table, "--stream-specification",
                  "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES"]):
        subprocess.run([*cli, *args], env=env, check=True, capture_output=True)


def view_type_switched(aws):
    """KEYS_ONLY first, then disabled and re-enabled with both images."""
    table_streaming("KEYS_ONLY")(aws)
    aws.dynamodb.update_table(TableName=aws.names.table, StreamSpecification={"StreamEnabled": False})
    aws.dynamodb.update_table(TableName=aws.names.table, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})


ALTERNATIVES = [
    Alternative("CLI update-table, list_streams code, one-record pages", apply=cli_stream_by_update,
                code=LIST_STREAMS_CODE),
    Alternative("view type switched by disable and re-enable", apply=view_type_switched),
]

test_near_miss = near_miss_test("dynamodb-streams", NEAR_MISSES)
test_alternative = alternative_test("dynamodb-streams", ALTERNATIVES)
