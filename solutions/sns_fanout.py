"""Reference solution: one topic, two queues that let it in, raw subscriptions, one filter."""

import json

PRIORITY_FILTER = {"priority": ["high"]}


def queue_policy(queue_arn: str, topic_arn: str) -> str:
    # The SNS service is the caller; the SourceArn condition pins it to our topic,
    # otherwise any topic anywhere could write into the queue.
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowOrdersTopic",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
        }],
    })


def queue_with_policy(aws, name: str, topic_arn: str) -> str:
    url = aws.sqs.create_queue(QueueName=name)["QueueUrl"]  # same name, same attributes: idempotent
    arn = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": queue_policy(arn, topic_arn)})
    return arn


def solve(aws):
    names = aws.names
    topic_arn = aws.sns.create_topic(Name=names.topic)["TopicArn"]  # returns the existing topic when run again

    all_arn = queue_with_policy(aws, names.all_queue, topic_arn)
    priority_arn = queue_with_policy(aws, names.priority_queue, topic_arn)

    # Raw delivery: consumers get the order itself, not the SNS JSON envelope.
    # Subscribing the same endpoint twice with the same attributes returns the same subscription.
    aws.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=all_arn,
                      Attributes={"RawMessageDelivery": "true"})
    aws.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=priority_arn,
                      Attributes={"RawMessageDelivery": "true",
                                  "FilterPolicy": json.dumps(PRIORITY_FILTER)})
