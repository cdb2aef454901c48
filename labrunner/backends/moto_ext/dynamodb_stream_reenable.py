"""Re-enabling a DynamoDB stream after disabling it (moto 5.2.x refuses).

On AWS, changing a stream's view type is two UpdateTable calls: disable the
stream, then enable it with the new view type (a new stream, a new label).
moto 5.2.x raises "Cannot enable stream" whenever the table has *ever* had a
stream, because it checks the stream label, which disabling keeps (as AWS
keeps ``LatestStreamArn``).  This patch refuses only while a stream is
actually enabled, which is AWS's rule.

It also stops a disabled stream from taking records: moto 5.2.x keeps the old
shard, and every write after disabling fails with a KeyError on
``StreamViewType`` (HTTP 500).
"""

from __future__ import annotations


def stream_enabled(table) -> bool:
    return bool((table.stream_specification or {}).get("StreamEnabled"))


def install() -> None:
    from moto.dynamodb.exceptions import StreamAlreadyEnabledException
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    if getattr(DynamoDBBackend, "_labrunner_stream_reenable", False):
        return

    def update_table_streams(self, table, stream_specification):
        enabling = stream_specification.get("StreamEnabled") or stream_specification.get("StreamViewType")
        if enabling and stream_enabled(table):
            raise StreamAlreadyEnabledException
        table.set_stream_specification(stream_specification)

    original_set = Table.set_stream_specification

    def set_stream_specification(self, streams):
        original_set(self, streams)
        if not stream_enabled(self):
            self.stream_shard = None  # a disabled stream records nothing more

    DynamoDBBackend.update_table_streams = update_table_streams
    Table.set_stream_specification = set_stream_specification
    DynamoDBBackend._labrunner_stream_reenable = True
