"""sqs-fix-consumer: the invoice worker as the team wrote it. It has two bugs; fix them.

Plain boto3 with no endpoint and no keys: the runner's environment points the
SDK at your sandbox. `inv lab.run sqs-fix-consumer` sends two sample invoices
(one without an amount), runs one poll_once() on the queue, then grades.
"""

import json
import os

import boto3

sqs = boto3.client("sqs")


def process(body: str) -> str:
    """Handle one invoice message and return its id; raises ValueError for one it cannot handle.

    Leave this function as it is: the checker relies on it failing for an invoice without an amount.
    """
    invoice = json.loads(body)
    if "amount" not in invoice:
        raise ValueError(f"invoice {invoice.get('id')} has no amount")
    print(f"booked invoice {invoice['id']}: {invoice['amount']}")
    return invoice["id"]


def poll_once(queue_url: str) -> list[str]:
    """Receive one batch from `queue_url`, process each message, return the ids of the invoices processed."""
    response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    done = []
    for message in response.get("Messages", []):
        try:
            done.append(process(message["Body"]))
        except ValueError as problem:
            print(f"skipped a message: {problem}")
    return done


if __name__ == "__main__":
    url = sqs.get_queue_url(QueueName=os.environ.get("LABS_NAME_QUEUE", "invoices"))["QueueUrl"]
    # Two sample invoices, one of them malformed, so that this run has something to receive.
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"id": "sample-1", "amount": 42}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"id": "sample-2"}))
    print("processed:", poll_once(url))
