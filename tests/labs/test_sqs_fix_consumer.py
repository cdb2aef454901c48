"""Near-misses and alternatives for sqs-fix-consumer (applied after setup, on the short-polling queue)."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.sqs_fix_consumer import solve

LAB = "sqs-fix-consumer"

PROCESS = '''
import json

import boto3


def process(body):
    invoice = json.loads(body)
    if "amount" not in invoice:
        raise ValueError(f"invoice {invoice.get('id')} has no amount")
    return invoice["id"]
'''


def worker(body: str) -> str:
    """A whole workspace file: the untouched process(), then the learner's poll_once()."""
    return PROCESS + "\n\n" + textwrap.dedent(body).strip() + "\n"


def starter_code() -> str:
    from labrunner.catalog import load

    return load().get(LAB).starter_path.read_text()


# --- learner code that is wrong -------------------------------------------

LONG_POLLS_NEVER_DELETES = worker("""
    def poll_once(queue_url):
        sqs = boto3.client("sqs")
        done = []
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=20).get("Messages", []):
            try:
                done.append(process(message["Body"]))
            except ValueError:
                pass
        return done
""")

DELETES_IN_FINALLY = worker("""
    def poll_once(queue_url):
        sqs = boto3.client("sqs")
        done = []
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=20).get("Messages", []):
            try:
                done.append(process(message["Body"]))
            except ValueError:
                pass
            finally:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return done
""")

DELETES_BEFORE_PROCESSING = worker("""
    def poll_once(queue_url):
        sqs = boto3.client("sqs")
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=20).get("Messages", [])
        if messages:
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)])
        done = []
        for message in messages:
            try:
                done.append(process(message["Body"]))
            except ValueError:
                pass
        return done
""")

SHORT_WAIT = worker("""
    def poll_once(queue_url):
        sqs = boto3.client("sqs")
        done = []
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=5).get("Messages", []):
            try:
                done.append(process(message["Body"]))
            except ValueError:
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return done
""")

NO_WAIT_ARGUMENT = worker("""
    def poll_once(queue_url):
        sqs = boto3.client("sqs")
        done = []
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
            try:
                done.append(process(message["Body"]))
            except ValueError:
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return done
""")

FORGETS_RETURN = worker("""
    def poll_once(queue_url):
        sqs = boto3.client("sqs")
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=20).get("Messages", []):
            try:
                process(message["Body"])
            except ValueError:
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
""")

LETS_THE_ERROR_ESCAPE = worker("""
    def poll_once(queue_url):
        sqs = boto3.client("sqs")
        done = []
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=20).get("Messages", []):
            done.append(process(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return done
""")


# --- queue state that is wrong --------------------------------------------

def url_of(aws, name):
    return aws.sqs.get_queue_url(QueueName=name)["QueueUrl"]


def arn_of(aws, name):
    return aws.sqs.get_queue_attributes(QueueUrl=url_of(aws, name), AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def set_attributes(aws, **attributes):
    aws.sqs.set_queue_attributes(QueueUrl=url_of(aws, aws.names.queue), Attributes=attributes)


def queue_wait(seconds):
    def apply(aws):
        solve(aws)
        set_attributes(aws, ReceiveMessageWaitTimeSeconds=str(seconds))
    return apply


def no_dlq(aws):
    set_attributes(aws, ReceiveMessageWaitTimeSeconds="20")


def dlq_without_redrive(aws):
    no_dlq(aws)
    aws.sqs.create_queue(QueueName=aws.names.dlq)


def receive_count(number):
    def apply(aws):
        solve(aws)
        set_attributes(aws, RedrivePolicy=json.dumps({"deadLetterTargetArn": arn_of(aws, aws.names.dlq),
                                                      "maxReceiveCount": number}))
    return apply


def redrive_to_another_queue(aws):
    solve(aws)
    aws.sqs.create_queue(QueueName="invoices-errors")
    set_attributes(aws, RedrivePolicy=json.dumps({"deadLetterTargetArn": arn_of(aws, "invoices-errors"),
                                                  "maxReceiveCount": 5}))


NEAR_MISSES = [
    NearMiss("nothing done", step=1, expect="ReceiveMessageWaitTimeSeconds 0 (short polling by default)",
             apply=lambda aws: None, code=starter_code()),
    NearMiss("queue wait 10", step=1, expect="ReceiveMessageWaitTimeSeconds 10", apply=queue_wait(10)),
    NearMiss("no dead-letter queue", step=2, expect="invoices-dlq does not exist", apply=no_dlq),
    NearMiss("DLQ without a redrive policy", step=3, expect="has no RedrivePolicy", apply=dlq_without_redrive),
    NearMiss("maxReceiveCount 1", step=3, expect="maxReceiveCount 1 (one failed attempt", apply=receive_count(1)),
    NearMiss("maxReceiveCount 50", step=3, expect="maxReceiveCount 50", apply=receive_count(50)),
    NearMiss("redrive to another queue", step=3, expect="expected the ARN of invoices-dlq",
             apply=redrive_to_another_queue),
    NearMiss("queue fixed, worker left as it was", step=4, expect="WaitTimeSeconds=0, which overrides the queue's 20 s",
             code=starter_code()),
    NearMiss("worker waits 5 s", step=4, expect="waiting 5 s", code=SHORT_WAIT),
    NearMiss("argument removed but the queue still short-polls", step=4,
             expect="on a queue whose ReceiveMessageWaitTimeSeconds is 0", apply=queue_wait(0), code=NO_WAIT_ARGUMENT),
    NearMiss("worker long-polls but never deletes", step=5, expect="deleted no message", code=LONG_POLLS_NEVER_DELETES),
    NearMiss("starter's missing delete", step=5, expect="deleted no message", code=starter_code()),
    NearMiss("delete in a finally", step=5, expect="was deleted too", code=DELETES_IN_FINALLY),
    NearMiss("delete before processing", step=5, expect="was deleted too", code=DELETES_BEFORE_PROCESSING),
    NearMiss("forgets to return the ids", step=5, expect="returned None", code=FORGETS_RETURN),
    NearMiss("the ValueError escapes", step=5, expect="raised ValueError", code=LETS_THE_ERROR_ESCAPE),
]


# --- other correct solutions ----------------------------------------------

def aws_cli(aws):
    """The learner's shell: the CLI's sqs commands need --endpoint-url (they ignore AWS_ENDPOINT_URL)."""
    env = aws.learner_env()

    def sqs(*args):
        command = [sys.executable, "-m", "awscli", "sqs", *args, "--endpoint-url", env["AWS_ENDPOINT_URL"]]
        return json.loads(subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout or "{}")

    url = sqs("get-queue-url", "--queue-name", aws.names.queue)["QueueUrl"]
    dlq_url = sqs("create-queue", "--queue-name", aws.names.dlq)["QueueUrl"]
    dlq_arn = sqs("get-queue-attributes", "--queue-url", dlq_url, "--attribute-names", "QueueArn")["Attributes"]["QueueArn"]
    attributes = Path(os.environ["LABS_STATE_DIR"]) / f"fix-consumer-{aws.account_id}.json"
    attributes.write_text(json.dumps({"ReceiveMessageWaitTimeSeconds": "20", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "10"})}))
    sqs("set-queue-attributes", "--queue-url", url, "--attributes", f"file://{attributes}")


# WaitTimeSeconds removed (the queue's 20 s default applies), one batch delete of the successes.
QUEUE_DEFAULT_BATCH_DELETE = worker("""
    sqs = boto3.client("sqs")


    def poll_once(queue_url):
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        done, handled = [], []
        for message in messages:
            try:
                done.append(process(message["Body"]))
            except ValueError as problem:
                print("left for the DLQ:", problem)
                continue
            handled.append({"Id": str(len(handled)), "ReceiptHandle": message["ReceiptHandle"]})
        if handled:
            failed = sqs.delete_message_batch(QueueUrl=queue_url, Entries=handled).get("Failed", [])
            assert not failed, failed
        return done
""")


def resource_api_queues(aws):
    sqs = aws.resource("sqs")
    dlq = sqs.create_queue(QueueName=aws.names.dlq)
    queue = sqs.get_queue_by_name(QueueName=aws.names.queue)
    queue.set_attributes(Attributes={"ReceiveMessageWaitTimeSeconds": "20", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq.attributes["QueueArn"], "maxReceiveCount": 3})})


# One message per receive: the checker calls poll_once() again while messages wait.
RESOURCE_API_ONE_AT_A_TIME = worker("""
    def poll_once(queue_url):
        queue = boto3.resource("sqs").Queue(queue_url)
        done = []
        for message in queue.receive_messages(WaitTimeSeconds=20):
            try:
                done.append(process(message.body))
            except ValueError:
                continue
            message.delete()
        return done
""")

ALTERNATIVES = [
    Alternative("AWS CLI queue fix, worker on the queue default with a batch delete", apply=aws_cli,
                code=QUEUE_DEFAULT_BATCH_DELETE),
    Alternative("resource API queue fix and a one-message-at-a-time worker", apply=resource_api_queues,
                code=RESOURCE_API_ONE_AT_A_TIME),
]

test_near_miss = near_miss_test(LAB, NEAR_MISSES)
test_alternative = alternative_test(LAB, ALTERNATIVES)
