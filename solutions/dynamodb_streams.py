"""Reference solution: a table streaming both images, and read_changes().

`solve(aws)` builds the table as the learner; `read_changes` is the learner's
workspace code (this file is copied into the workspace), so it uses plain boto3
from the environment, never `aws`.
"""

import json

import boto3
from botocore.exceptions import ClientError

# Both images: a consumer can tell what changed (old vs new) without reading the table.
VIEW_TYPE = "NEW_AND_OLD_IMAGES"


def solve(aws):
    dynamodb, table, key = aws.dynamodb, aws.names.table, aws.names.key
    stream = {"StreamEnabled": True, "StreamViewType": VIEW_TYPE}
    try:
        dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST", StreamSpecification=stream,
                              KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=table)


def plain(records):
    """Records carry datetimes (ApproximateCreationDateTime); make them plain data."""
    return json.loads(json.dumps(records, default=str))


def read_shard(streams, stream_arn, shard_id):
    # TRIM_HORIZON is the oldest record still kept (24 h); LATEST would skip
    # everything written before this call.
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard_id,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        records += page["Records"]
        # A closed shard ends with no NextShardIterator; an open one always has
        # one, so an empty page means "caught up".
        if not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
    return records


def list_shards(streams, stream_arn):
    shards, start = [], None
    while True:
        kwargs = {"ExclusiveStartShardId": start} if start else {}
        description = streams.describe_stream(StreamArn=stream_arn, **kwargs)["StreamDescription"]
        shards += description["Shards"]
        start = description.get("LastEvaluatedShardId")
        if not start:
            return shards


def read_changes(table_name):
    """Return every change record in the stream of `table_name`, oldest first."""
    stream_arn = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams")
    records = []
    # Shards roll over: a closed parent holds the older records, its child the
    # newer ones. Reading them in the listed order (parents first) keeps order per item.
    for shard in list_shards(streams, stream_arn):
        records += read_shard(streams, stream_arn, shard["ShardId"])
    return plain(records)
