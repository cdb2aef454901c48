"""Near-misses and alternatives for sqs-long-polling."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.sqs_long_polling import solve

LAB = "sqs-long-polling"


def workspace(body: str) -> str:
    """A whole workspace file: imports, then the learner's drain()."""
    return "import boto3\n\n\n" + textwrap.dedent(body).strip() + "\n"


# --- learner code that is wrong -------------------------------------------

SHORT_POLL_LOOP = workspace("""
    def drain(queue_url):
        sqs = boto3.client("sqs")
        bodies = []
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=0).get("Messages", [])
            if not messages:
                return bodies
            for message in messages:
                bodies.append(message["Body"])
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
""")

EMPTY_RETRIES = workspace("""
    def drain(queue_url):
        sqs = boto3.client("sqs")
        bodies, empty_in_a_row = [], 0
        while empty_in_a_row < 10:  # short polls come back empty at random: try again, many times
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            empty_in_a_row = 0 if messages else empty_in_a_row + 1
            for message in messages:
                bodies.append(message["Body"])
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return bodies
""")

NO_WAIT_ARGUMENT = workspace("""
    def drain(queue_url):
        sqs = boto3.client("sqs")
        bodies = []
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return bodies
            for message in messages:
                bodies.append(message["Body"])
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
""")

NEVER_DELETES = workspace("""
    def drain(queue_url):
        sqs = boto3.client("sqs")
        bodies = []
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", [])
            if not messages:
                return bodies
            bodies.extend(message["Body"] for message in messages)
""")

ONE_RECEIVE = workspace("""
    def drain(queue_url):
        sqs = boto3.client("sqs")
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return [message["Body"] for message in messages]
""")

RETURNS_IDS = workspace("""
    def drain(queue_url):
        sqs = boto3.client("sqs")
        ids = []
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", [])
            if not messages:
                return ids
            for message in messages:
                ids.append(message["MessageId"])
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
""")

RETURNS_MESSAGES = workspace("""
    def drain(queue_url):
        sqs = boto3.client("sqs")
        received = []
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", [])
            if not messages:
                return received
            for message in messages:
                received.append(message)
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
""")

FORGETS_RETURN = workspace("""
    def drain(queue_url):
        sqs = boto3.client("sqs")
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", [])
            if not messages:
                break
            for message in messages:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
""")

WAIT_OVER_20 = workspace("""
    def drain(queue_url):
        sqs = boto3.client("sqs")
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=30).get("Messages", [])
        return [message["Body"] for message in messages]
""")


def starter_code() -> str:
    from labrunner.catalog import load

    return load().get(LAB).starter_path.read_text()


# --- queue state that is wrong --------------------------------------------

def queue_url(aws, name):
    return aws.sqs.get_queue_url(QueueName=name)["QueueUrl"]


def arn_of(aws, name):
    return aws.sqs.get_queue_attributes(QueueUrl=queue_url(aws, name),
                                        AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def set_attributes(aws, name, **attributes):
    aws.sqs.set_queue_attributes(QueueUrl=queue_url(aws, name), Attributes=attributes)


def redrive(aws, target_arn, count=5):
    set_attributes(aws, aws.names.queue,
                   RedrivePolicy=json.dumps({"deadLetterTargetArn": target_arn, "maxReceiveCount": count}))


def no_dlq(aws):
    aws.sqs.create_queue(QueueName=aws.names.queue, Attributes={"ReceiveMessageWaitTimeSeconds": "20"})


def dlq_but_no_redrive(aws):
    aws.sqs.create_queue(QueueName=aws.names.dlq)
    no_dlq(aws)


def redrive_on_the_dlq(aws):
    """Policy set on the wrong queue: the DLQ points back at orders."""
    dlq_but_no_redrive(aws)
    aws.sqs.set_queue_attributes(QueueUrl=queue_url(aws, aws.names.dlq), Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": arn_of(aws, aws.names.queue), "maxReceiveCount": 5})})


def dlq_deleted_later(aws):
    solve(aws)
    aws.sqs.delete_queue(QueueUrl=queue_url(aws, aws.names.dlq))


def redrive_to_another_queue(aws):
    solve(aws)
    aws.sqs.create_queue(QueueName="orders-errors")
    redrive(aws, arn_of(aws, "orders-errors"))


def rejected_policy(policy):
    """SQS refuses the policy with an error, which this learner ignores."""
    def apply(aws):
        dlq_but_no_redrive(aws)
        try:
            set_attributes(aws, aws.names.queue, RedrivePolicy=json.dumps(policy(aws)))
        except aws.sqs.exceptions.ClientError:
            pass
    return apply


def receive_count(count):
    def apply(aws):
        solve(aws)
        redrive(aws, arn_of(aws, aws.names.dlq), count)
    return apply


def queue_wait(seconds):
    def apply(aws):
        solve(aws)
        set_attributes(aws, aws.names.queue, ReceiveMessageWaitTimeSeconds=str(seconds))
    return apply


def missing_queue_arn(aws):
    return f"arn:aws:sqs:{aws.region}:{aws.account_id}:orders-dead"


NEAR_MISSES = [
    NearMiss("no DLQ", step=1, expect="orders-dlq does not exist", apply=no_dlq),
    NearMiss("queue default wait 0", step=2, expect="ReceiveMessageWaitTimeSeconds 0", apply=queue_wait(0)),
    NearMiss("queue default wait 10", step=2, expect="ReceiveMessageWaitTimeSeconds 10", apply=queue_wait(10)),
    NearMiss("no queue at all", step=2, expect="orders does not exist", apply=lambda aws: None),
    NearMiss("DLQ but no redrive policy", step=3, expect="has no RedrivePolicy", apply=dlq_but_no_redrive),
    NearMiss("redrive set on the DLQ", step=3, expect="has no RedrivePolicy", apply=redrive_on_the_dlq),
    NearMiss("redrive to a deleted DLQ", step=3, expect="a queue that does not exist", apply=dlq_deleted_later),
    NearMiss("redrive to another queue", step=3, expect="points at arn:aws:sqs:us-east-1:",
             apply=redrive_to_another_queue),
    # SQS rejects both policies. moto raises the error but keeps the policy, so the checker
    # reads it and names the fault; a backend that rejects it cleanly leaves "no RedrivePolicy".
    NearMiss("redrive to a queue that never existed", step=3, expect="RedrivePolicy",
             apply=rejected_policy(lambda aws: {"deadLetterTargetArn": missing_queue_arn(aws),
                                                "maxReceiveCount": 5})),
    NearMiss("redrive without maxReceiveCount", step=3, expect="RedrivePolicy",
             apply=rejected_policy(lambda aws: {"deadLetterTargetArn": arn_of(aws, aws.names.dlq)})),
    NearMiss("maxReceiveCount 1", step=3, expect="maxReceiveCount 1", apply=receive_count(1)),
    NearMiss("maxReceiveCount 10", step=3, expect="maxReceiveCount 10", apply=receive_count(10)),
    NearMiss("starter left as is", step=4, expect="raised NotImplementedError", code=starter_code()),
    NearMiss("received but not deleted", step=4, expect="in flight", code=NEVER_DELETES),
    NearMiss("one receive of one message", step=4, expect="were missing", code=ONE_RECEIVE),
    NearMiss("returns message ids", step=4, expect="were missing", code=RETURNS_IDS),
    NearMiss("returns message dicts", step=4, expect="a list holding a dict", code=RETURNS_MESSAGES),
    NearMiss("forgets to return", step=4, expect="returned None", code=FORGETS_RETURN),
    NearMiss("WaitTimeSeconds above 20", step=4, expect="raised ClientError", code=WAIT_OVER_20,
             needs=("sqs_wait_limit",)),
    NearMiss("short-polling loop, WaitTimeSeconds=0 overrides the default", step=5,
             expect="WaitTimeSeconds=0, which overrides the queue's 20 s default", code=SHORT_POLL_LOOP),
    NearMiss("short-poll retry loop: many empty receives", step=5, expect="11 ReceiveMessage calls",
             apply=queue_wait(0), code=EMPTY_RETRIES),
    NearMiss("no WaitTimeSeconds on a queue whose default is 0", step=5,
             expect="on a queue whose ReceiveMessageWaitTimeSeconds is 0", apply=queue_wait(0),
             code=NO_WAIT_ARGUMENT),
]


# --- other correct solutions ----------------------------------------------

def aws_cli(aws):
    """The learner's shell: the CLI's sqs commands need --endpoint-url (they ignore AWS_ENDPOINT_URL)."""
    env = aws.learner_env()

    def sqs(*args):
        command = [sys.executable, "-m", "awscli", "sqs", *args, "--endpoint-url", env["AWS_ENDPOINT_URL"]]
        return json.loads(subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout or "{}")

    sqs("create-queue", "--queue-name", aws.names.dlq)
    url = sqs("create-queue", "--queue-name", aws.names.queue,
              "--attributes", "ReceiveMessageWaitTimeSeconds=20")["QueueUrl"]
    dlq_url = sqs("get-queue-url", "--queue-name", aws.names.dlq)["QueueUrl"]
    dlq_arn = sqs("get-queue-attributes", "--queue-url", dlq_url,
                  "--attribute-names", "QueueArn")["Attributes"]["QueueArn"]
    # A JSON string inside JSON is easiest to pass from a file.
    attributes = Path(os.environ["LABS_STATE_DIR"]) / f"redrive-{aws.account_id}.json"
    attributes.write_text(json.dumps({"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})}))
    sqs("set-queue-attributes", "--queue-url", url, "--attributes", f"file://{attributes}")


# Relies on the queue's 20 s default, so its last, empty receive takes 20 s: the
# slowest test of this lab, kept because it is the second accepted form of long polling.
QUEUE_DEFAULT_DRAIN = """import boto3

sqs = boto3.client("sqs")


def drain(queue_url):
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages")
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
"""


def resource_api_queues(aws):
    sqs = aws.resource("sqs")
    dlq = sqs.create_queue(QueueName=aws.names.dlq)
    queue = sqs.create_queue(QueueName=aws.names.queue)
    queue.set_attributes(Attributes={
        "ReceiveMessageWaitTimeSeconds": "20",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.attributes["QueueArn"], "maxReceiveCount": 4}),
    })


RESOURCE_API_DRAIN = workspace("""
    def drain(queue_url):
        queue = boto3.resource("sqs").Queue(queue_url)
        bodies = []
        while True:
            messages = queue.receive_messages(MaxNumberOfMessages=10, WaitTimeSeconds=2)
            if not messages:
                return bodies
            for message in messages:
                bodies.append(message.body)
                message.delete()
""")

ALTERNATIVES = [
    Alternative("AWS CLI queues, drain() on the queue's 20 s default", apply=aws_cli, code=QUEUE_DEFAULT_DRAIN),
    Alternative("resource API queues and sqs.Queue drain", apply=resource_api_queues, code=RESOURCE_API_DRAIN),
]

test_near_miss = near_miss_test(LAB, NEAR_MISSES)
test_alternative = alternative_test(LAB, ALTERNATIVES)

