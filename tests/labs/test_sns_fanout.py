"""Near-misses and alternatives for sns-fanout."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.sns_fanout import queue_policy, solve


def topic_arn(aws):
    return f"arn:aws:sns:{aws.region}:{aws.account_id}:{aws.names.topic}"


def queue_url(aws, name):
    return aws.sqs.get_queue_url(QueueName=name)["QueueUrl"]


def queue_arn(aws, name):
    return f"arn:aws:sqs:{aws.region}:{aws.account_id}:{name}"


def subscription_arn(aws, name):
    subs = aws.sns.list_subscriptions_by_topic(TopicArn=topic_arn(aws))["Subscriptions"]
    return next(s["SubscriptionArn"] for s in subs if s["Endpoint"] == queue_arn(aws, name))


def set_policy(aws, name, statement):
    aws.sqs.set_queue_attributes(QueueUrl=queue_url(aws, name), Attributes={"Policy": json.dumps(
        {"Version": "2012-10-17", "Statement": [statement]})})


def set_subscription(aws, name, attribute, value):
    aws.sns.set_subscription_attributes(SubscriptionArn=subscription_arn(aws, name), AttributeName=attribute,
                                        AttributeValue=value)


def no_filter_policy(aws):
    solve(aws)
    set_subscription(aws, aws.names.priority_queue, "FilterPolicy", "")


def filter_on_the_wrong_queue(aws):
    solve(aws)
    set_subscription(aws, aws.names.priority_queue, "FilterPolicy", "")
    set_subscription(aws, aws.names.all_queue, "FilterPolicy", json.dumps({"priority": ["high"]}))


def filter_lets_low_through(aws):
    solve(aws)
    set_subscription(aws, aws.names.priority_queue, "FilterPolicy", json.dumps({"priority": ["high", "low"]}))


def missing_queue_policy(aws):
    solve(aws)
    aws.sqs.set_queue_attributes(QueueUrl=queue_url(aws, aws.names.priority_queue), Attributes={"Policy": ""})


def policy_without_condition(aws):
    solve(aws)
    name = aws.names.all_queue
    set_policy(aws, name, {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                           "Action": "sqs:SendMessage", "Resource": queue_arn(aws, name)})


def policy_for_another_topic(aws):
    solve(aws)
    name = aws.names.all_queue
    other = topic_arn(aws).replace(aws.names.topic, "invoices")
    aws.sqs.set_queue_attributes(QueueUrl=queue_url(aws, name),
                                 Attributes={"Policy": queue_policy(queue_arn(aws, name), other)})


def policy_grants_receive_not_send(aws):
    solve(aws)
    name = aws.names.all_queue
    set_policy(aws, name, {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                           "Action": "sqs:ReceiveMessage", "Resource": queue_arn(aws, name),
                           "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn(aws)}}})


def raw_delivery_off(aws):
    solve(aws)
    set_subscription(aws, aws.names.all_queue, "RawMessageDelivery", "false")


def one_queue_not_subscribed(aws):
    solve(aws)
    aws.sns.unsubscribe(SubscriptionArn=subscription_arn(aws, aws.names.all_queue))


def only_the_topic(aws):
    aws.sns.create_topic(Name=aws.names.topic)


NEAR_MISSES = [
    NearMiss("no filter policy", step=4, expect="has no filter policy", apply=no_filter_policy),
    NearMiss("filter on the unfiltered queue", step=4, expect="expected none", apply=filter_on_the_wrong_queue),
    NearMiss("filter lets low orders through", step=5, expect="expected only the high one",
             apply=filter_lets_low_through),
    NearMiss("missing queue policy", step=2, expect="has no queue policy", apply=missing_queue_policy),
    NearMiss("policy without SourceArn condition", step=2, expect="has no aws:SourceArn condition",
             apply=policy_without_condition),
    NearMiss("policy pinned to another topic", step=2, expect="names arn:aws:sns", apply=policy_for_another_topic),
    NearMiss("policy grants ReceiveMessage", step=2, expect="no statement allowing sqs:SendMessage",
             apply=policy_grants_receive_not_send),
    NearMiss("raw delivery off", step=3, expect="raw message delivery off", apply=raw_delivery_off),
    NearMiss("one queue not subscribed", step=3, expect="has no sqs subscription for queue orders-all",
             apply=one_queue_not_subscribed),
    NearMiss("queues never created", step=2, expect="do not exist yet", apply=only_the_topic),
]


def cli(aws, *args):
    """The learner's shell; sqs needs --endpoint-url because AWS CLI v1 ignores AWS_ENDPOINT_URL for it."""
    env = aws.learner_env()
    extra = ["--endpoint-url", env["AWS_ENDPOINT_URL"]] if args[0] == "sqs" else []
    done = subprocess.run([sys.executable, "-m", "awscli", *args, *extra, "--output", "json"], env=env,
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout) if done.stdout.strip() else {}


def aws_cli_with_body_filter(aws):
    """CLI, Principal "*" narrowed by ArnLike, attributes set after subscribing, a MessageBody filter."""
    names = aws.names
    topic = cli(aws, "sns", "create-topic", "--name", names.topic)["TopicArn"]
    for name in (names.all_queue, names.priority_queue):
        url = cli(aws, "sqs", "create-queue", "--queue-name", name)["QueueUrl"]
        arn = queue_arn(aws, name)
        policy = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": ["sqs:SendMessage"], "Resource": arn,
            "Condition": {"ArnLike": {"aws:SourceArn": topic}}}]}
        cli(aws, "sqs", "set-queue-attributes", "--queue-url", url, "--attributes",
            json.dumps({"Policy": json.dumps(policy)}))
        sub = cli(aws, "sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint",
                  arn, "--return-subscription-arn")["SubscriptionArn"]
        cli(aws, "sns", "set-subscription-attributes", "--subscription-arn", sub, "--attribute-name",
            "RawMessageDelivery", "--attribute-value", "true")
        if name == names.priority_queue:
            cli(aws, "sns", "set-subscription-attributes", "--subscription-arn", sub, "--attribute-name",
                "FilterPolicyScope", "--attribute-value", "MessageBody")
            cli(aws, "sns", "set-subscription-attributes", "--subscription-arn", sub, "--attribute-name",
                "FilterPolicy", "--attribute-value", json.dumps({"priority": ["high"]}))


def resource_api(aws):
    """boto3 resources, one policy document with a statement per condition operator."""
    sns, sqs = aws.resource("sns"), aws.resource("sqs")
    topic = sns.create_topic(Name=aws.names.topic)
    for name in (aws.names.all_queue, aws.names.priority_queue):
        queue = sqs.create_queue(QueueName=name)
        arn = queue.attributes["QueueArn"]
        queue.set_attributes(Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "DenyNothing", "Effect": "Allow", "Principal": {"AWS": aws.account_id},
             "Action": "sqs:ReceiveMessage", "Resource": arn},
            {"Sid": "Topic", "Effect": "Allow", "Principal": {"Service": ["sns.amazonaws.com"]},
             "Action": "SQS:SendMessage", "Resource": arn,
             "Condition": {"ArnEquals": {"aws:SourceArn": [topic.arn]}}}]})})
        attributes = {"RawMessageDelivery": "true"}
        if name == aws.names.priority_queue:
            attributes["FilterPolicy"] = json.dumps({"priority": [{"prefix": "hi"}]})
        topic.subscribe(Protocol="sqs", Endpoint=arn, Attributes=attributes)


ALTERNATIVES = [
    Alternative("AWS CLI, Principal * with ArnLike, MessageBody filter", apply=aws_cli_with_body_filter),
    Alternative("resource API, extra statement, prefix filter", apply=resource_api),
]

test_near_miss = near_miss_test("sns-fanout", NEAR_MISSES)
test_alternative = alternative_test("sns-fanout", ALTERNATIVES)
