"""DynamoDB Streams with more than one shard (moto 5.2.x models exactly one).

On AWS a stream's shards roll over: a shard closes (it gains an
``EndingSequenceNumber``), a child shard naming it as ``ParentShardId`` takes
the new records, and ``GetRecords`` on a closed shard that has been read to
its end returns no ``NextShardIterator``.  moto keeps a single, never-closing
shard, so code that reads only the first shard looks right.  This extension
adds the rollover:

* ``POST /_labrunner/dynamodb/rotate-stream-shard?account=ID&region=R&table=T``
  closes the table's current shard and opens its child;
* ``DescribeStream`` lists the closed shards (oldest first), then the open one;
* ``GetShardIterator`` finds any of them by id;
* reading a closed shard past its end ends the iterator chain.

Closed shards are kept per stream label, so re-enabling a stream starts clean.
``request_rotation`` is the client side, for checkers.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
from urllib.parse import parse_qs, urlencode

ROTATE_PATH = "/_labrunner/dynamodb/rotate-stream-shard"
CLOSED = "_labrunner_closed_shards"  # table attribute: {stream label: [closed StreamShard, ...]}


def closed_shards(table) -> list:
    return getattr(table, CLOSED, {}).get(table.latest_stream_label, [])


def all_shards(table) -> list:
    return [*closed_shards(table), *([table.stream_shard] if table.stream_shard else [])]


def shard_json(shard) -> dict:
    sequence_range = {"StartingSequenceNumber": str(shard.starting_sequence_number)}
    ending = getattr(shard, "ending_sequence_number", None)
    if ending is not None:
        sequence_range["EndingSequenceNumber"] = str(ending)
    found = {"ShardId": shard.id, "SequenceNumberRange": sequence_range}
    parent = getattr(shard, "parent_shard_id", None)
    if parent:
        found["ParentShardId"] = parent
    return found


def rotate(table) -> dict:
    """Close the table's open shard and open its child; returns the child's description."""
    from moto.dynamodb.models.table import StreamShard

    old = table.stream_shard
    if old is None:
        raise ValueError(f"table {table.name} has no stream")
    old.ending_sequence_number = old.starting_sequence_number + max(len(old.items), 1) - 1
    child = StreamShard(table.account_id, table)
    child.id = f"shardId-{int(time.time() * 1000):020d}-{secrets.token_hex(4)}"
    child.starting_sequence_number = old.ending_sequence_number + 1000
    child.parent_shard_id = old.id
    shards = getattr(table, CLOSED, {})
    shards.setdefault(table.latest_stream_label, []).append(old)
    setattr(table, CLOSED, shards)
    table.stream_shard = child
    return shard_json(child)


def serve_rotation(environ) -> tuple[int, dict]:
    from moto.dynamodb.models import dynamodb_backends

    if environ.get("REQUEST_METHOD") != "POST":
        return 405, {"error": "use POST"}
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    try:
        table = dynamodb_backends[query["account"]][query.get("region", "us-east-1")].get_table(query["table"])
        return 200, {"shard": rotate(table)}
    except KeyError as exc:
        return 400, {"error": f"missing parameter {exc}"}
    except Exception as exc:  # an unknown table or one without a stream
        return 404, {"error": str(exc)}


def install() -> None:
    from moto.dynamodbstreams import models

    backend = models.DynamoDBStreamsBackend
    if getattr(backend, "_labrunner_shards", False):
        return
    original_describe, original_get = backend.describe_stream, models.ShardIterator.get

    def describe_stream(self, arn):
        stream = original_describe(self, arn)
        table = self._get_table_from_arn(arn)
        stream["Shards"] = [shard_json(s) for s in all_shards(table)]
        return stream

    def get_shard_iterator(self, arn, shard_id, shard_iterator_type, sequence_number=None):
        table = self._get_table_from_arn(arn)
        shard = next((s for s in all_shards(table) if s.id == shard_id), None)
        if shard is None:
            raise KeyError(f"no shard {shard_id} in the stream of {table.name}")
        iterator = models.ShardIterator(self, shard, shard_iterator_type, sequence_number)
        self.shard_iterators[iterator.arn] = iterator
        return iterator

    def get(self, limit=1000):
        result = original_get(self, limit)
        shard = self.stream_shard
        if getattr(shard, "ending_sequence_number", None) is not None:
            following = self.streams_backend.shard_iterators[result["NextShardIterator"]]
            if following.sequence_number >= shard.starting_sequence_number + len(shard.items):
                # read to its end: a closed shard gets no more records
                del self.streams_backend.shard_iterators[result["NextShardIterator"]]
                result = {"Records": result["Records"]}
        return result

    backend.describe_stream = describe_stream
    backend.get_shard_iterator = get_shard_iterator
    models.ShardIterator.get = get
    backend._labrunner_shards = True


ROUTES = {ROTATE_PATH: serve_rotation}


def request_rotation(endpoint: str, account_id: str, region: str, table: str, timeout: float = 5.0) -> dict:
    """Ask the runner's moto server to roll the table's stream over to a new shard."""
    url = f"{endpoint}{ROTATE_PATH}?{urlencode({'account': account_id, 'region': region, 'table': table})}"
    request = urllib.request.Request(url, method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read())
