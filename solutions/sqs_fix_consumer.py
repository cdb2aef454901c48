"""Reference solution: long polling on the queue and in the worker, a dead-letter queue, deletes after success.

`solve(aws)` repairs the queue as the learner; `process` and `poll_once` are the learner's workspace code
(this file stands in for it), so they use plain boto3 from the environment, never `aws`.
"""

import json
import os

import boto3

QUEUE_WAIT_SECONDS = "20"  # the longest wait SQS allows: fewest empty receives for a worker that never stops
MAX_RECEIVE_COUNT = 5  # a few retries for a passing failure, then the message is parked for a person


def solve(aws):
    sqs = aws.sqs
    queue_url = sqs.get_queue_url(QueueName=aws.names.queue)["QueueUrl"]
    # The dead-letter queue first: SQS refuses a redrive policy naming a queue it cannot find. CreateQueue
    # with the same name and no attributes returns the existing queue, so a rerun is harmless.
    dlq_url = sqs.create_queue(QueueName=aws.names.dlq)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={
        # Any consumer that forgets WaitTimeSeconds now long-polls too.
        "ReceiveMessageWaitTimeSeconds": QUEUE_WAIT_SECONDS,
        # The ARN, not the URL; maxReceiveCount as part of the same JSON string.
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}),
    })


def process(body: str) -> str:
    """Handle one invoice message and return its id; raises ValueError for one it cannot handle."""
    invoice = json.loads(body)
    if "amount" not in invoice:
        raise ValueError(f"invoice {invoice.get('id')} has no amount")
    print(f"booked invoice {invoice['id']}: {invoice['amount']}")
    return invoice["id"]


def poll_once(queue_url: str) -> list[str]:
    """Receive one batch from `queue_url`, process each message, delete the ones processed, return their ids."""
    # WaitTimeSeconds=0 would override the queue's 20 s default and make this a short poll, which asks only
    # some SQS servers and often comes back empty while messages wait. 20 returns as soon as one arrives.
    sqs = boto3.client("sqs")
    response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=20)
    done = []
    for message in response.get("Messages", []):
        try:
            done.append(process(message["Body"]))
        except ValueError as problem:
            # Not deleted on purpose: it comes back after the visibility timeout, and after maxReceiveCount
            # receives SQS moves it to the dead-letter queue.
            print(f"left for a retry: {problem}")
            continue
        # Only after processing succeeded: a message deleted first is lost if processing then fails.
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return done


if __name__ == "__main__":
    client = boto3.client("sqs")
    url = client.get_queue_url(QueueName=os.environ.get("LABS_NAME_QUEUE", "invoices"))["QueueUrl"]
    # Two sample invoices, one of them malformed: a long poll on an empty queue would wait the full 20 s.
    client.send_message(QueueUrl=url, MessageBody=json.dumps({"id": "sample-1", "amount": 42}))
    client.send_message(QueueUrl=url, MessageBody=json.dumps({"id": "sample-2"}))
    print("processed:", poll_once(url))
