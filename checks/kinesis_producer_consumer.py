"""Checker for kinesis-producer-consumer: two shards, a spreading producer, an in-order consumer.

The checker calls the learner's produce() once with tagged test events, reads
every shard itself to see where they landed, then calls consume().
"""

import json
import uuid

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

SHARDS = 2
USERS = 8
EVENTS_PER_USER = 3
MAX_PAGES = 50  # per shard; a consumer of this small stream needs a handful


def check(aws):
    trial = Trial(aws)
    yield from steps(aws, trial.stream_has_two_shards, trial.producer_reaches_both_shards,
                     trial.each_user_in_order, trial.consumer_reads_everything)


def test_events(run: str) -> list[dict]:
    """Events of 8 users, interleaved; user-0 … user-7 hash to both halves of the key space."""
    return [{"user": f"user-{i % USERS}", "n": i, "run": run} for i in range(USERS * EVENTS_PER_USER)]


def decode(data: bytes):
    try:
        return json.loads(data)
    except ValueError:
        return None


def out_of_order_users(events: list[dict]) -> list[str]:
    """Users whose events are not in increasing ``n`` order in ``events``."""
    last: dict[str, int] = {}
    late = []
    for event in events:
        user = event["user"]
        if event["n"] < last.get(user, -1) and user not in late:
            late.append(user)
        last[user] = max(last.get(user, -1), event["n"])
    return late


class Trial:
    """One check run: its test events and what the learner's code did with them."""

    def __init__(self, aws) -> None:
        self.aws = aws
        self.stream = aws.names.stream
        self.run = f"labcheck-{uuid.uuid4().hex[:12]}"
        self.sent = test_events(self.run)
        self.produced: dict[str, list[dict]] | None = None  # shard id -> this run's events, in shard order
        self.undecodable = 0

    # ---- reading the stream as the checker ------------------------------

    def summary(self):
        return fetch(self.aws.kinesis.describe_stream_summary, StreamName=self.stream)

    def shard_ids(self) -> list[str]:
        return [s["ShardId"] for s in self.aws.kinesis.list_shards(StreamName=self.stream)["Shards"]]

    def read_shard(self, shard_id: str) -> list[bytes]:
        kinesis = self.aws.kinesis
        iterator = kinesis.get_shard_iterator(StreamName=self.stream, ShardId=shard_id,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        data = []
        for _ in range(MAX_PAGES):
            page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            data += [r["Data"] for r in page["Records"]]
            iterator = page.get("NextShardIterator")
            if not iterator or (not page["Records"] and page.get("MillisBehindLatest", 0) == 0):
                break
        return data

    def produce_once(self) -> dict[str, list[dict]]:
        if self.produced is None:
            self.produced = {}
            self.aws.call_code("produce", self.stream, self.sent)
            for shard_id in self.shard_ids():
                decoded = [decode(d) for d in self.read_shard(shard_id)]
                self.undecodable += sum(1 for d in decoded if d is None)
                self.produced[shard_id] = [d for d in decoded if isinstance(d, dict) and d.get("run") == self.run]
        return self.produced

    # ---- step 1 ----------------------------------------------------------

    def stream_has_two_shards(self, aws):
        summary = self.summary()
        if summary is None:
            return failed(f"Stream {self.stream} does not exist yet; create it with ShardCount=2.")
        description = summary["StreamDescriptionSummary"]
        status, shards = description["StreamStatus"], description["OpenShardCount"]
        if shards != SHARDS:
            return failed(f"Stream {self.stream} has {shards} open shard(s); expected exactly {SHARDS}.")
        if status != "ACTIVE":
            return failed(f"Stream {self.stream} is {status}; wait until it is ACTIVE.")
        return passed(f"Stream {self.stream} is ACTIVE with {SHARDS} shards.")

    # ---- step 2 ----------------------------------------------------------

    def producer_reaches_both_shards(self, aws):
        if self.summary() is None:
            return failed(f"Stream {self.stream} does not exist, so produce() has nowhere to write.")
        produced = self.produce_once()
        landed = sum(len(events) for events in produced.values())
        if landed == 0 and self.undecodable:
            return failed(f"produce() wrote records to {self.stream}, but none of them is a JSON event; "
                          "expected Data=json.dumps(record).")
        if landed < len(self.sent):
            return failed(f"The checker gave produce() {len(self.sent)} events, but only {landed} of them are "
                          f"in stream {self.stream}; expected every one.")
        used = [shard for shard, events in produced.items() if events]
        if len(used) < SHARDS:
            return failed(f"produce() wrote all {landed} events of 8 users to one shard ({used[0]}) of stream "
                          f"{self.stream}; expected them spread over both shards.",
                          hint="Use a partition key that varies, such as the record's user.")
        spread = ", ".join(f"{len(events)} in {shard}" for shard, events in sorted(produced.items()))
        return passed(f"produce() wrote all {landed} events to stream {self.stream}, spread over both shards "
                      f"({spread}).")

    # ---- step 3 ----------------------------------------------------------

    def each_user_in_order(self, aws):
        if self.summary() is None or not self.produced:
            return failed(f"produce() did not write to stream {self.stream}, so the order of events cannot be "
                          "checked.")
        shards_of: dict[str, set] = {}
        for shard, events in self.produced.items():
            for event in events:
                shards_of.setdefault(event["user"], set()).add(shard)
        split = sorted(user for user, shards in shards_of.items() if len(shards) > 1)
        if split:
            listed = ", ".join(split[:3]) + (", …" if len(split) > 3 else "")
            return failed(f"The events of {len(split)} user(s) ({listed}) landed in several shards "
                          f"of stream {self.stream}, so their order is lost; expected one shard per user.",
                          hint="Kinesis keeps order only within a shard: give one user one partition key.")
        for shard, events in sorted(self.produced.items()):
            late = out_of_order_users(events)
            if late:
                return failed(f"In shard {shard} of stream {self.stream}, the events of {', '.join(late)} are not "
                              "in the order produce() received them; expected each user's events in order.")
        return passed(f"Each user's events are in one shard of stream {self.stream}, in the order produced.")

    # ---- step 4 ----------------------------------------------------------

    def consumer_reads_everything(self, aws):
        if self.summary() is None or not self.produced:
            return failed(f"No test events reached stream {self.stream}, so consume() cannot be checked.")
        mark = aws.journal.mark() if aws.journal.available else 0
        returned = aws.call_code("consume", self.stream)
        if not isinstance(returned, list):
            return failed(f"consume() returned a {type(returned).__name__}; expected a list of the event dicts.")
        mine = [e for e in returned if isinstance(e, dict) and e.get("run") == self.run]
        landed = sum(len(events) for events in self.produced.values())
        if len(mine) < landed:
            return failed(f"consume() returned {len(mine)} of the {landed} test events in stream {self.stream}"
                          f"{self.iterator_note(mark)}; expected all of them, from every shard.",
                          hint="Read every shard from TRIM_HORIZON and follow NextShardIterator.")
        late = out_of_order_users(mine)
        if late:
            return failed(f"consume() returned the events of {', '.join(late)} out of their order in stream "
                          f"{self.stream}; expected each shard's records in order.")
        return passed(f"consume() returned all {landed} test events of stream {self.stream}, each user's in order.")

    def iterator_note(self, mark: int) -> str:
        """What the journal says about the consumer's iterators, as a clause ('' when nothing useful)."""
        if not self.aws.journal.available:
            return ""
        calls = self.aws.journal.calls("GetShardIterator", since=mark)
        kinds = sorted({c.params.get("ShardIteratorType", "?") for c in calls})
        shards = {c.params.get("ShardId") for c in calls}
        if not calls:
            return " (it never called GetShardIterator)"
        return f" (it read {len(shards)} shard(s) with iterator type {', '.join(kinds)})"
