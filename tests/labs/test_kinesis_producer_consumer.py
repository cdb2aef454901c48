"""Near-misses and alternatives for kinesis-producer-consumer."""

import subprocess
import sys

from labrunner.catalog import ROOT
from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test

REFERENCE = (ROOT / "solutions" / "kinesis_producer_consumer.py").read_text()


def variant(old: str, new: str) -> str:
    """The reference workspace file with one mistake written into it."""
    assert old in REFERENCE, f"the reference no longer contains {old!r}"
    return REFERENCE.replace(old, new)


REFERENCE_KEY = 'PartitionKey=str(record["user"])'


def one_shard_stream(aws):
    aws.kinesis.create_stream(StreamName=aws.names.stream, ShardCount=1)


FIRST_SHARD_ONLY = variant("for shard_id in shard_ids(stream)", "for shard_id in shard_ids(stream)[:1]")
LATEST = variant('ShardIteratorType="TRIM_HORIZON"', 'ShardIteratorType="LATEST"')

NEAR_MISSES = [
    NearMiss("one constant partition key", step=2, expect="to one shard",
             code=variant(REFERENCE_KEY, 'PartitionKey="clicks"')),
    NearMiss("a new partition key per record", step=3, expect="landed in several shards",
             code=variant(REFERENCE_KEY, 'PartitionKey=str(record["n"])')),
    NearMiss("records produced in reverse", step=3, expect="not in the order produce() received them",
             code=variant("for record in records:", "for record in reversed(records):")),
    NearMiss("data not JSON", step=2, expect="none of them is a JSON event",
             code=variant("Data=json.dumps(record)", "Data=str(record)")),
    NearMiss("consumer reads one shard only", step=4, expect="read 1 shard(s)", code=FIRST_SHARD_ONLY,
             needs=("journal",)),
    NearMiss("consumer reads one shard only, end state", step=4, expect="expected all of them, from every shard",
             code=FIRST_SHARD_ONLY),
    NearMiss("LATEST iterator", step=4, expect="iterator type LATEST", code=LATEST, needs=("journal",)),
    NearMiss("LATEST iterator, end state", step=4, expect="returned 0 of the 24", code=LATEST),
    NearMiss("consumer stops after one small page", step=4, expect="returned 4 of the 24",
             code=variant("Limit=1000)", "Limit=2); page[\"NextShardIterator\"] = None")),
    NearMiss("stream with one shard", step=1, expect="1 open shard", apply=one_shard_stream),
]

BATCHING_WORKSPACE = '''
import json

import boto3

kinesis = boto3.client("kinesis")


def produce(stream, records):
    """PutRecords in batches of 10; a batch keeps its order within each shard."""
    for start in range(0, len(records), 10):
        batch = records[start:start + 10]
        entries = [{"Data": json.dumps(r).encode(), "PartitionKey": "user#" + r["user"]} for r in batch]
        response = kinesis.put_records(StreamName=stream, Records=entries)
        assert response["FailedRecordCount"] == 0


def consume(stream):
    shards = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["Shards"]
    out = []
    for shard in shards:
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                              ShardIteratorType="AT_SEQUENCE_NUMBER",
                                              StartingSequenceNumber=shard["SequenceNumberRange"]
                                              ["StartingSequenceNumber"])["ShardIterator"]
        for _ in range(20):
            page = kinesis.get_records(ShardIterator=iterator)
            out.extend(json.loads(r["Data"]) for r in page["Records"])
            iterator = page.get("NextShardIterator")
            if not iterator or page["MillisBehindLatest"] == 0:
                break
    return out
'''


def stream_from_cli(aws):
    env = aws.learner_env()
    cli = [sys.executable, "-m", "awscli", "kinesis"]
    subprocess.run([*cli, "create-stream", "--stream-name", aws.names.stream, "--shard-count", "2"], env=env,
                   check=True, capture_output=True)
    subprocess.run([*cli, "wait", "stream-exists", "--stream-name", aws.names.stream], env=env, check=True,
                   capture_output=True)


ALTERNATIVES = [
    Alternative("put_records batches, AT_SEQUENCE_NUMBER from each shard's start", code=BATCHING_WORKSPACE),
    Alternative("stream created with the AWS CLI", apply=stream_from_cli),
]

test_near_miss = near_miss_test("kinesis-producer-consumer", NEAR_MISSES)
test_alternative = alternative_test("kinesis-producer-consumer", ALTERNATIVES)
