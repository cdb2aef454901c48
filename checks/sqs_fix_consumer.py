"""Checker for sqs-fix-consumer: long polling on the queue, a DLQ behind it, a worker that long-polls and deletes."""

import json
import re
import uuid
import weakref
from dataclasses import dataclass, field

from labrunner.grading import failed, passed, steps
from labrunner.harness import LearnerCodeError
from labrunner.lookups import fetch

STEP_NEEDS = {4: ("journal",), 5: ("journal",)}

QUEUE_WAIT_SECONDS = 20
MIN_RECEIVE_COUNT, MAX_RECEIVE_COUNT = 3, 10
GOOD_INVOICES = 3
MAX_POLLS = 6  # poll_once() handles one batch; a worker asking for one message at a time needs one call each
POLL_TIMEOUT = 30  # room for one 20 s long poll that finds nothing
QUERY_ENTRY = re.compile(r"DeleteMessageBatchRequestEntry\.\d+\.ReceiptHandle")  # the query protocol's batch entries


def setup(aws):
    """The work queue as the team made it: short polling by default and no dead-letter queue."""
    aws.sqs.create_queue(QueueName=aws.names.queue, Attributes={"ReceiveMessageWaitTimeSeconds": "0",
                                                                "VisibilityTimeout": "30"})


def check(aws):
    RUNS.pop(aws, None)  # each check runs the worker afresh, even with a reused client bundle
    yield from steps(aws, queue_long_polls, dlq_exists, redrive_to_dlq, worker_long_polls, worker_deletes_after_success)


# --- reading queues -------------------------------------------------------

def queue_url(aws, name: str) -> str | None:
    found = fetch(aws.sqs.get_queue_url, QueueName=name)
    return found["QueueUrl"] if found else None


def attributes(aws, url: str, *names: str) -> dict:
    return aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names)).get("Attributes", {})


def counts(aws, url: str) -> tuple[int, int]:
    """Visible and in-flight messages (exact on the emulators)."""
    found = attributes(aws, url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
    return int(found.get("ApproximateNumberOfMessages", 0)), int(found.get("ApproximateNumberOfMessagesNotVisible", 0))


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


# --- steps 1-3: the queues ------------------------------------------------

def queue_long_polls(aws):
    queue = aws.names.queue
    url = queue_url(aws, queue)
    if url is None:
        return failed(f"Queue {queue} does not exist any more; `inv lab.reset` brings back the one to repair.")
    wait = int(attributes(aws, url, "ReceiveMessageWaitTimeSeconds").get("ReceiveMessageWaitTimeSeconds") or 0)
    if wait != QUEUE_WAIT_SECONDS:
        kind = "short polling by default" if wait == 0 else "a long poll, but not the 20 s the lab asks for"
        return failed(f"Queue {queue} has ReceiveMessageWaitTimeSeconds {wait} ({kind}); expected "
                      f"{QUEUE_WAIT_SECONDS}.", hint="set_queue_attributes with ReceiveMessageWaitTimeSeconds "
                      "\"20\" (aws sqs set-queue-attributes --attributes ReceiveMessageWaitTimeSeconds=20).")
    return passed(f"Queue {queue} waits {wait} s by default, so a receive that omits WaitTimeSeconds is a long poll.")


def dlq_exists(aws):
    dlq, queue = aws.names.dlq, aws.names.queue
    if queue_url(aws, dlq) is None:
        return failed(f"Queue {dlq} does not exist; create it as the dead-letter queue of {queue}.",
                      hint="A dead-letter queue is an ordinary queue: create_queue, then point the work queue's "
                      "RedrivePolicy at its ARN.")
    return passed(f"Queue {dlq} exists, ready to take the messages {queue} gives up on.")


def redrive_to_dlq(aws):
    queue, dlq = aws.names.queue, aws.names.dlq
    url = queue_url(aws, queue)
    if url is None:
        return failed(f"Queue {queue} does not exist, so it has no redrive policy.")
    raw = attributes(aws, url, "RedrivePolicy").get("RedrivePolicy")
    expected = f"expected one that moves a message to {dlq} after {MIN_RECEIVE_COUNT} to {MAX_RECEIVE_COUNT} receives"
    if not raw:
        return failed(f"Queue {queue} has no RedrivePolicy, so a failing invoice is retried for ever; {expected}.",
                      hint=f"Set RedrivePolicy on {queue} (not on {dlq}): a JSON string with deadLetterTargetArn "
                      "and maxReceiveCount.")
    try:
        policy = json.loads(raw)
    except ValueError:
        return failed(f"Queue {queue} has a RedrivePolicy that is not JSON ({raw!r}); {expected}.")
    dlq_url = queue_url(aws, dlq)
    dlq_arn = attributes(aws, dlq_url, "QueueArn").get("QueueArn") if dlq_url else None
    target = policy.get("deadLetterTargetArn")
    if not dlq_arn or target != dlq_arn:
        return failed(f"The RedrivePolicy of queue {queue} points at {target or '(no deadLetterTargetArn)'}; "
                      f"expected the ARN of {dlq}{f' ({dlq_arn})' if dlq_arn else ', which must exist first'}.",
                      hint="Read the DLQ's QueueArn with get_queue_attributes: the policy takes the ARN, not the URL.")
    return judge_count(queue, dlq, policy.get("maxReceiveCount"))


def judge_count(queue: str, dlq: str, value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return failed(f"The RedrivePolicy of queue {queue} has maxReceiveCount {value!r}, not a number; expected "
                      f"{MIN_RECEIVE_COUNT} to {MAX_RECEIVE_COUNT}.")
    if number < MIN_RECEIVE_COUNT:
        why = "one failed attempt (a timeout, a restart) is enough to park an invoice" if number == 1 else (
            "too few retries for a passing failure")
    elif number > MAX_RECEIVE_COUNT:
        why = "an invoice that can never succeed is retried too long before anyone sees it"
    else:
        return passed(f"Queue {queue} moves a message to {dlq} after {number} receives without a delete.")
    return failed(f"The RedrivePolicy of queue {queue} has maxReceiveCount {number} ({why}); expected "
                  f"{MIN_RECEIVE_COUNT} to {MAX_RECEIVE_COUNT}.")


# --- steps 4-5: the learner's poll_once() ---------------------------------

@dataclass
class WorkerRun:
    """The checker's invoices, and what poll_once() did with them; shared by steps 4 and 5 of one check."""

    queue_url: str | None
    mark: int = 0
    good: list = field(default_factory=list)
    poison: str = ""
    returned: list = field(default_factory=list)
    polls: int = 0
    error: str | None = None
    visible_before: int = 0
    in_flight_before: int = 0
    in_flight_after: int = 0


RUNS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def worker_run(aws) -> WorkerRun:
    if aws not in RUNS:
        RUNS[aws] = run_worker(aws)
    return RUNS[aws]


def run_worker(aws) -> WorkerRun:
    """Send three good invoices and one without an amount (as the checker), then call poll_once() as the learner."""
    url = queue_url(aws, aws.names.queue)
    if url is None:
        return WorkerRun(None)
    token = uuid.uuid4().hex[:6]
    run = WorkerRun(url, good=[f"check-{token}-{n}" for n in range(1, GOOD_INVOICES + 1)], poison=f"check-{token}-bad")
    run.visible_before, run.in_flight_before = counts(aws, url)
    bodies = [{"id": i, "amount": 100 * n} for n, i in enumerate(run.good, start=1)] + [{"id": run.poison}]
    aws.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": json.dumps(body)}
                                                      for n, body in enumerate(bodies)])
    run.mark = aws.journal.mark() if aws.journal.available else 0
    # Call the worker while messages wait, never on an empty queue: a 20 s long poll that finds nothing is
    # correct, just slow.
    while run.polls < MAX_POLLS and counts(aws, url)[0] > 0:
        run.polls += 1
        try:
            value = aws.call_code("poll_once", url, timeout=POLL_TIMEOUT)
        except LearnerCodeError as exc:
            run.error = exc.sentence
            break
        if not isinstance(value, list):
            run.error = f"poll_once() returned {'None' if value is None else 'a ' + type(value).__name__}; " \
                        "expected the list of invoice ids it processed."
            break
        run.returned += value
    run.in_flight_after = counts(aws, url)[1]
    return run


def on_queue(call, name: str) -> bool:
    return str(call.params.get("QueueUrl", "")).rstrip("/").rsplit("/", 1)[-1] == name


def wait_seconds(call) -> int | None:
    value = call.params.get("WaitTimeSeconds")
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def worker_long_polls(aws):
    queue = aws.names.queue
    run = worker_run(aws)
    if run.queue_url is None:
        return failed(f"Queue {queue} does not exist, so poll_once() could not be run.")
    receives = [c for c in aws.journal.calls("ReceiveMessage", since=run.mark, succeeded=True) if on_queue(c, queue)]
    if not receives:
        why = f" ({run.error.rstrip('.')})" if run.error else ""
        return failed(f"poll_once() made no ReceiveMessage call on {queue}{why}; expected long polls of 20 s.")
    default = int(attributes(aws, run.queue_url, "ReceiveMessageWaitTimeSeconds").get(
        "ReceiveMessageWaitTimeSeconds") or 0)
    waits = [wait_seconds(c) for c in receives]
    effective = [default if w is None else w for w in waits]
    calls = f"poll_once() made {count(len(receives), 'ReceiveMessage call')} on {queue}"
    if any(w == 0 for w in waits):
        return failed(f"{calls} with WaitTimeSeconds=0, which overrides the queue's {default} s default and makes "
                      "each one a short poll; expected WaitTimeSeconds 20 (or none, once the queue waits 20 s).",
                      hint="The starter passes WaitTimeSeconds=0: change it to 20, or remove it.")
    if any(w == 0 for w in effective):
        return failed(f"{calls} without WaitTimeSeconds on a queue whose ReceiveMessageWaitTimeSeconds is 0, so they "
                      "were short polls; expected WaitTimeSeconds 20.")
    short = sorted({w for w in effective if w < QUEUE_WAIT_SECONDS})
    if short:
        return failed(f"{calls}, waiting {'/'.join(map(str, short))} s; that is a long poll, but a worker that "
                      f"never stops should wait the full {QUEUE_WAIT_SECONDS} s, the fewest empty receives.")
    how = "on the call" if all(w is not None for w in waits) else "through the queue's default"
    return passed(f"{calls}, every one a 20 s long poll ({how}).")


def deleted_entries(calls: list) -> int:
    """Messages named by successful DeleteMessage and DeleteMessageBatch calls (JSON or query protocol)."""
    total = 0
    for call in calls:
        if call.operation == "DeleteMessage":
            total += 1
        elif isinstance(call.params.get("Entries"), list):
            total += len(call.params["Entries"])
        else:
            total += sum(1 for k in call.params if QUERY_ENTRY.fullmatch(k))
    return total


def worker_deletes_after_success(aws):
    queue = aws.names.queue
    run = worker_run(aws)
    if run.queue_url is None:
        return failed(f"Queue {queue} does not exist, so poll_once() could not be run.")
    if run.error:
        return failed(run.error, hint="Run it yourself: `inv lab.run sqs-fix-consumer` shows its output.")
    missing = [i for i in run.good if i not in run.returned]
    if missing:
        return failed(f"poll_once() returned {count(len(run.returned), 'id')} after {count(run.polls, 'call')}, and "
                      f"{len(missing)} of the checker's {len(run.good)} good invoices were missing (for example "
                      f"{missing[0]}); expected the id of every invoice it processed.")
    if run.poison in run.returned:
        return failed(f"poll_once() returned {run.poison}, the invoice without an amount that process() cannot "
                      "handle; expected only the ids of invoices it processed.")
    deletes = [c for op in ("DeleteMessage", "DeleteMessageBatch")
               for c in aws.journal.calls(op, since=run.mark, succeeded=True) if on_queue(c, queue)]
    deleted = deleted_entries(deletes)
    processed = len(run.returned)
    left_in_flight = run.in_flight_after - run.in_flight_before
    if deleted == 0:
        return failed(f"poll_once() processed {count(processed, 'invoice')} but deleted no message, so each comes "
                      "back after the 30 s visibility timeout and is booked again; expected a delete after each "
                      "one processed.", hint="Call delete_message with the message's ReceiptHandle once process() "
                      "has returned.")
    if deleted > processed or left_in_flight < 1:
        return failed(f"poll_once() processed {count(processed, 'invoice')} and deleted "
                      f"{count(deleted, 'message')}: the invoice process() failed on was deleted too, so it is "
                      f"lost instead of being retried and moved to {aws.names.dlq}; expected a delete only after "
                      "process() succeeds.", hint="Delete inside the try, after process() returns, never before it "
                      "or in a finally.")
    if deleted < processed or left_in_flight > 1 + run.visible_before:
        return failed(f"poll_once() processed {count(processed, 'invoice')} but deleted only "
                      f"{count(deleted, 'message')} ({left_in_flight} left in flight); expected every processed "
                      "invoice deleted.")
    return passed(f"poll_once() processed and deleted the checker's {len(run.good)} good invoices and left the one it "
                  f"could not process in flight, to be retried and then moved to {aws.names.dlq}.")
