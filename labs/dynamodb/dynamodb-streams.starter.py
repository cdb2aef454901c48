"""dynamodb-streams: read the change records of a table's stream.

Run `inv lab.run dynamodb-streams` to check your work. The checker writes,
updates and deletes items in the table itself, then calls read_changes().
"""

import json

import boto3

dynamodb = boto3.client("dynamodb")
streams = boto3.client("dynamodbstreams")


def plain(records):
    """Records carry datetimes (ApproximateCreationDateTime); make them plain data."""
    return json.loads(json.dumps(records, default=str))


def read_changes(table_name):
    """Return every change record in the stream of `table_name`, oldest first.

    Find the table's stream (its LatestStreamArn), read EVERY shard the stream
    lists from its oldest record, and return the records as GetRecords gives
    them (each with eventName and dynamodb.Keys / NewImage / OldImage), passed
    through plain().
    """
    raise NotImplementedError("read the stream's shards")
