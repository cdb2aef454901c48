"""Reference solution: a two-shard stream, a keyed producer, a consumer of every shard."""

import functools
import json

import boto3


@functools.cache
def client():
    # Made on first use, not at import: the runner imports this file to call solve(aws)
    # outside the sandbox's environment, where boto3 would find no region.
    return boto3.client("kinesis")

SHARDS = 2


def produce(stream: str, records: list[dict]) -> None:
    for record in records:
        # The user is the partition key: many users spread the load over the shards,
        # and one user always hashes to the same shard, where order is kept.
        # One put_record at a time keeps one user's records in the order given.
        client().put_record(StreamName=stream, Data=json.dumps(record), PartitionKey=str(record["user"]))


def shard_ids(stream: str) -> list[str]:
    shards, token = [], None
    while True:
        page = client().list_shards(NextToken=token) if token else client().list_shards(StreamName=stream)
        shards += [s["ShardId"] for s in page["Shards"]]
        token = page.get("NextToken")
        if not token:
            return shards


def read_shard(stream: str, shard_id: str) -> list[dict]:
    # TRIM_HORIZON: the oldest record still kept; LATEST would skip everything already written.
    iterator = client().get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = []
    while iterator:
        page = client().get_records(ShardIterator=iterator, Limit=1000)
        records += [json.loads(r["Data"]) for r in page["Records"]]
        iterator = page.get("NextShardIterator")
        # An empty page does not mean the end: only MillisBehindLatest == 0 says we caught up.
        if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
            break
    return records


def consume(stream: str) -> list[dict]:
    return [record for shard_id in shard_ids(stream) for record in read_shard(stream, shard_id)]


def solve(aws):
    stream = aws.names.stream
    existing = aws.kinesis.list_streams()["StreamNames"]
    if stream not in existing:  # a second CreateStream would fail with ResourceInUseException
        aws.kinesis.create_stream(StreamName=stream, ShardCount=SHARDS,
                                  StreamModeDetails={"StreamMode": "PROVISIONED"})
    aws.kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1})
