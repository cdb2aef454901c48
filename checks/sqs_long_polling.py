"""Checker for sqs-long-polling: a DLQ, a 20 s queue with a redrive policy, a long-polling drain()."""

import json
import time
import uuid
import weakref
from dataclasses import dataclass, field

from labrunner.fast_polls import short_empty_polls
from labrunner.grading import failed, passed, steps
from labrunner.harness import LearnerCodeError
from labrunner.lookups import fetch

STEP_NEEDS = {5: ("journal",)}  # long polling leaves no trace in the end state

QUEUE_WAIT_SECONDS = 20
MIN_RECEIVE_COUNT, MAX_RECEIVE_COUNT = 3, 5
TEST_MESSAGES = 4
# Room for a drain that keeps the queue's 20 s default on its last, empty receive.
DRAIN_TIMEOUT = 45
# Real SQS counts are approximate and lag; moto's are exact at once.
SETTLE_SECONDS = {"moto": 0}
DEFAULT_SETTLE_SECONDS = 20


def check(aws):
    RUNS.pop(aws, None)  # each check calls drain() afresh, even with a reused client bundle
    yield from steps(aws, dlq_exists, queue_waits_20_seconds, redrive_to_dlq, drain_empties_queue,
                     drain_long_polls)


# --- reading queues -------------------------------------------------------

def queue_url(aws, name: str) -> str | None:
    found = fetch(aws.sqs.get_queue_url, QueueName=name)
    return found["QueueUrl"] if found else None


def attribute(aws, url: str, name: str) -> str | None:
    return aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name]).get("Attributes", {}).get(name)


def queue_arn(aws, name: str) -> str | None:
    url = queue_url(aws, name)
    return attribute(aws, url, "QueueArn") if url else None


def queue_exists_for_arn(aws, arn: str) -> bool:
    parts = arn.split(":")
    if len(parts) != 6 or parts[4] != aws.account_id:
        return False
    return queue_url(aws, parts[5]) is not None


# --- steps 1-3: the queues ------------------------------------------------

def dlq_exists(aws):
    dlq = aws.names.dlq
    if queue_url(aws, dlq) is None:
        return failed(f"Queue {dlq} does not exist; create it as the dead-letter queue of {aws.names.queue}.")
    return passed(f"Queue {dlq} exists, ready to take the messages {aws.names.queue} gives up on.")


def queue_waits_20_seconds(aws):
    queue = aws.names.queue
    url = queue_url(aws, queue)
    if url is None:
        return failed(f"Queue {queue} does not exist; create it with ReceiveMessageWaitTimeSeconds "
                      f"{QUEUE_WAIT_SECONDS}.")
    wait = int(attribute(aws, url, "ReceiveMessageWaitTimeSeconds") or 0)
    if wait != QUEUE_WAIT_SECONDS:
        kind = "short polling by default" if wait == 0 else "a long poll, but not the longest"
        return failed(f"Queue {queue} has ReceiveMessageWaitTimeSeconds {wait} ({kind}); expected "
                      f"{QUEUE_WAIT_SECONDS}.", hint="Set the queue attribute ReceiveMessageWaitTimeSeconds "
                      "to 20 with set_queue_attributes (or aws sqs set-queue-attributes).")
    return passed(f"Queue {queue} waits {wait} s by default, so every receive that omits WaitTimeSeconds "
                  "is a long poll.")


def redrive_to_dlq(aws):
    queue, dlq = aws.names.queue, aws.names.dlq
    url = queue_url(aws, queue)
    if url is None:
        return failed(f"Queue {queue} does not exist, so it has no redrive policy.")
    raw = attribute(aws, url, "RedrivePolicy")
    if not raw:
        return failed(f"Queue {queue} has no RedrivePolicy; expected one that moves a message to {dlq} after "
                      f"{MIN_RECEIVE_COUNT} to {MAX_RECEIVE_COUNT} receives.",
                      hint=f"Set the RedrivePolicy attribute of {queue} (not of {dlq}) to a JSON string with "
                      "deadLetterTargetArn and maxReceiveCount.")
    try:
        policy = json.loads(raw)
    except ValueError:
        return failed(f"Queue {queue} has a RedrivePolicy that is not JSON ({raw!r}); expected a JSON document "
                      "with deadLetterTargetArn and maxReceiveCount.")
    return judge_redrive(aws, queue, dlq, policy)


def judge_redrive(aws, queue: str, dlq: str, policy: dict):
    problem = target_problem(aws, dlq, policy.get("deadLetterTargetArn", "")) or count_problem(
        policy.get("maxReceiveCount"))
    if problem:
        return failed(f"The RedrivePolicy of queue {queue} {problem}.")
    return passed(f"Queue {queue} moves a message to {dlq} after {policy['maxReceiveCount']} receives without "
                  "a delete.")


def target_problem(aws, dlq: str, target: str) -> str | None:
    dlq_arn = queue_arn(aws, dlq)
    if target == dlq_arn:
        return None
    expected = f"expected {dlq} ({dlq_arn})" if dlq_arn else f"expected {dlq}, which must be created first"
    if not queue_exists_for_arn(aws, target):
        return f"points at {target or '(no deadLetterTargetArn)'}, a queue that does not exist; {expected}"
    return f"points at {target}; {expected}"


def count_problem(count) -> str | None:
    expected = f"expected {MIN_RECEIVE_COUNT} to {MAX_RECEIVE_COUNT}"
    if count is None:
        return f"has no maxReceiveCount; {expected}"
    try:
        number = int(count)
    except (TypeError, ValueError):
        return f"has maxReceiveCount {count!r}, not a number; {expected}"
    if number < MIN_RECEIVE_COUNT:
        why = "one failure is enough to move a message" if number == 1 else "too few retries for a passing failure"
    elif number > MAX_RECEIVE_COUNT:
        why = "a message that always fails is retried too long"
    else:
        return None
    return f"has maxReceiveCount {number} ({why}); {expected}"


# --- steps 4-5: the learner's drain() -------------------------------------

@dataclass
class DrainRun:
    """One call of the learner's drain(), shared by steps 4 and 5 of one check."""

    queue_url: str | None
    mark: int = 0
    sent: list = field(default_factory=list)
    bodies: object = None
    error: str | None = None


RUNS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def drain_run(aws) -> DrainRun:
    if aws not in RUNS:
        RUNS[aws] = run_drain(aws)
    return RUNS[aws]


def run_drain(aws) -> DrainRun:
    """Send test messages (as the checker), then call drain() (as the learner)."""
    url = queue_url(aws, aws.names.queue)
    if url is None:
        return DrainRun(None)
    token = uuid.uuid4().hex[:8]
    sent = [json.dumps({"order": f"check-{token}-{n}"}) for n in range(1, TEST_MESSAGES + 1)]
    aws.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": body}
                                                      for n, body in enumerate(sent)])
    run = DrainRun(url, mark=aws.journal.mark(), sent=sent)
    try:
        with short_empty_polls(aws):  # the wait asked for is graded from the journal, not sat through
            run.bodies = aws.call_code("drain", url, timeout=DRAIN_TIMEOUT)
    except LearnerCodeError as exc:
        run.error = exc.sentence
    return run


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def describe(value) -> str:
    if isinstance(value, list):
        odd = next(v for v in value if not isinstance(v, str))
        return f"a list holding a {type(odd).__name__} ({str(odd)[:60]})"
    return "None" if value is None else f"a {type(value).__name__}"


def remaining(aws, url: str) -> tuple[int, int]:
    """Visible and in-flight messages, polled until zero or the counts have had time to settle."""
    deadline = time.monotonic() + SETTLE_SECONDS.get(aws.backend.name, DEFAULT_SETTLE_SECONDS)
    while True:
        attrs = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        counts = int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"])
        if counts == (0, 0) or time.monotonic() >= deadline:
            return counts
        time.sleep(2)


def drain_empties_queue(aws):
    queue = aws.names.queue
    run = drain_run(aws)
    if run.queue_url is None:
        return failed(f"Queue {queue} does not exist, so drain() could not be tested.")
    if run.error:
        return failed(run.error, hint="Call drain() yourself, with the lab's environment exported and the URL "
                      f"from `aws sqs get-queue-url --queue-name {queue}`, to see the whole error.")
    bodies = run.bodies
    if not isinstance(bodies, list) or not all(isinstance(b, str) for b in bodies):
        return failed(f"drain() returned {describe(bodies)} for queue {queue}; expected a list of the message "
                      "bodies (strings).", hint='Collect message["Body"] of each received message and return '
                      "the list.")
    missing = [body for body in run.sent if body not in bodies]
    if missing:
        returned = count(len(bodies), "string")
        return failed(f"drain() returned {returned}, and {len(missing)} of the {len(run.sent)} test messages "
                      f"the checker sent to {queue} were missing (for example {missing[0]}); expected "
                      "all of them.", hint="Keep receiving until a long poll returns no message, and ask for up "
                      "to 10 messages per call (MaxNumberOfMessages).")
    return judge_empty_queue(aws, queue, run)


def judge_empty_queue(aws, queue: str, run: DrainRun):
    visible, in_flight = remaining(aws, run.queue_url)
    if in_flight:
        return failed(f"Queue {queue} still holds {count(visible + in_flight, 'message')} after drain() ({visible} "
                      f"visible, {in_flight} in flight): they were received but not deleted, and come back when "
                      "the visibility timeout ends; expected an empty queue.",
                      hint="Delete each message with its ReceiptHandle (delete_message or delete_message_batch). "
                      "Messages an earlier attempt left in flight reappear after the 30 s visibility timeout: "
                      "check again after that.")
    if visible:
        return failed(f"Queue {queue} still holds {count(visible, 'visible message')} after drain(); expected "
                      "an empty queue.", hint="Stop only when a long poll returns no message.")
    return passed(f"drain() returned all {len(run.sent)} test messages the checker sent to {queue} "
                  f"({len(run.bodies)} bodies in all) and left the queue empty.")


def wait_seconds(call) -> int | None:
    value = call.params.get("WaitTimeSeconds")
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def on_queue(call, name: str) -> bool:
    return str(call.params.get("QueueUrl", "")).rstrip("/").rsplit("/", 1)[-1] == name


def drain_long_polls(aws):
    queue = aws.names.queue
    run = drain_run(aws)
    if run.queue_url is None:
        return failed(f"Queue {queue} does not exist, so drain() was not run and its receives cannot be judged.")
    receives = [c for c in aws.journal.calls("ReceiveMessage", since=run.mark, succeeded=True)
                if on_queue(c, queue)]
    if not receives:
        why = f" ({run.error.rstrip('.')})" if run.error else ""
        return failed(f"drain() made no ReceiveMessage call on {queue}{why}; expected long-poll receives.")
    default = int(attribute(aws, run.queue_url, "ReceiveMessageWaitTimeSeconds") or 0)
    return judge_receives(queue, receives, default)


def judge_receives(queue: str, receives: list, default: int):
    """Long poll: WaitTimeSeconds >= 1 on the call, or none on a queue whose default is >= 1."""
    waits = [wait_seconds(c) for c in receives]
    explicit_long = [w for w in waits if w is not None and w >= 1]
    explicit_short = [w for w in waits if w is not None and w < 1]
    by_default = [w for w in waits if w is None]
    calls = f"drain() made {count(len(receives), 'ReceiveMessage call')} on {queue}"
    if explicit_short or (by_default and default < 1):
        return failed(f"{calls}, and {short_poll_story(explicit_short, by_default, default)}; expected "
                      "WaitTimeSeconds of 1 or more on each call, or none on a queue whose default is 1 or more.",
                      hint="Pass WaitTimeSeconds=1 (or more) to every receive, or leave it out now that the queue "
                      "waits 20 s by default; never pass 0.")
    ways = []
    if explicit_long:
        values = "/".join(str(w) for w in sorted(set(explicit_long)))
        ways.append(f"{len(explicit_long)} with WaitTimeSeconds={values} on the call")
    if by_default:
        ways.append(f"{len(by_default)} without WaitTimeSeconds, through the queue's "
                    f"ReceiveMessageWaitTimeSeconds of {default}")
    return passed(f"{calls}, and every one was a long poll: {' and '.join(ways)}.")


def short_poll_story(explicit_short: list, by_default: list, default: int) -> str:
    parts = []
    if explicit_short:
        override = f", which overrides the queue's {default} s default" if default >= 1 else ""
        parts.append(f"{len(explicit_short)} passed WaitTimeSeconds=0{override}")
    if by_default and default < 1:
        parts.append(f"{len(by_default)} left WaitTimeSeconds out on a queue whose ReceiveMessageWaitTimeSeconds "
                     f"is {default}")
    return f"{' and '.join(parts)}, so they were short polls"
