"""Reference solution: a long-polling queue behind a dead-letter queue, and a drain().

`solve(aws)` builds the queues as the learner; `drain` is the learner's workspace
code (this file is copied into the workspace), so it uses plain boto3 from the
environment, never `aws`.
"""

import json

import boto3

# A drain is a batch job: a short long-poll wait still asks every SQS server,
# so an empty answer means "nothing left", and the job ends in about a second
# instead of the queue default's 20.
DRAIN_WAIT_SECONDS = 1
QUEUE_WAIT_SECONDS = "20"
MAX_RECEIVE_COUNT = 5


def solve(aws):
    sqs = aws.sqs
    # The dead-letter queue must exist first: SQS refuses a redrive policy that
    # names a queue it cannot find.
    dlq_url = sqs.create_queue(QueueName=aws.names.dlq)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    # Create without attributes, then set them: CreateQueue on an existing queue
    # fails when the attributes it is given differ, SetQueueAttributes never does.
    queue_url = sqs.create_queue(QueueName=aws.names.queue)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={
        # Consumers that forget WaitTimeSeconds still long-poll.
        "ReceiveMessageWaitTimeSeconds": QUEUE_WAIT_SECONDS,
        # A few retries for a transient failure, then the message is parked
        # where someone can look at it instead of blocking the consumers.
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}),
    })


def drain(queue_url: str) -> list[str]:
    """Receive every message waiting in `queue_url`, delete each one, return their bodies."""
    sqs = boto3.client("sqs")
    bodies = []
    while True:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=DRAIN_WAIT_SECONDS)
        messages = response.get("Messages", [])
        if not messages:
            # Only a long poll may end the loop: an empty short poll may have
            # asked servers that hold none of the messages.
            return bodies
        bodies.extend(message["Body"] for message in messages)
        delete_all(sqs, queue_url, messages)


def delete_all(sqs, queue_url: str, messages: list) -> None:
    """Delete a received batch; a message left undeleted comes back after its visibility timeout."""
    entries = [{"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
               for index, message in enumerate(messages)]
    failures = sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed", [])
    if failures:
        # A batch call succeeds even when some entries fail: say which ones.
        raise RuntimeError(f"could not delete {len(failures)} message(s): {failures[0].get('Message')}")
