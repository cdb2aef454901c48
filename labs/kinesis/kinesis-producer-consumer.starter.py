"""Kinesis producer and consumer for the stream of the kinesis-producer-consumer lab.

Run with `inv lab.run kinesis-producer-consumer`: the runner points boto3 at your
sandbox, then the checker calls produce() and consume() itself.
"""

import json  # noqa: F401  (records travel as JSON)

import boto3

kinesis = boto3.client("kinesis")


def produce(stream: str, records: list[dict]) -> None:
    """Write each record (a dict with a "user" field) to `stream` as JSON, in order.

    Spread the records over every shard, and keep the records of one user in one
    shard, in the order given.
    """
    raise NotImplementedError("write the records with put_record or put_records")


def consume(stream: str) -> list[dict]:
    """Return every record in `stream` as the dicts that were produced.

    Read every shard from its oldest record (TRIM_HORIZON), each shard in order.
    """
    raise NotImplementedError("read every shard with get_shard_iterator and get_records")


if __name__ == "__main__":
    # Create the stream first (step 1), then try your functions by hand.
    produce("clickstream", [{"user": f"user-{i % 4}", "n": i} for i in range(8)])
    print(consume("clickstream"))
