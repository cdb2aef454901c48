"""Checker for sns-fanout: topic, queue policies, raw subscriptions, a filter, real delivery."""

import json
import time
import uuid

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

SOURCE_ARN_OPERATORS = ("arnequals", "arnlike", "stringequals", "stringlike")
# Seconds the checker waits, at most, for the test orders.  moto delivers to SQS inside Publish itself
# (measured), so there the orders are in the queues when Publish returns; other backends deliver later.
DELIVERY_WAIT = {"moto": 0.0}
DEFAULT_DELIVERY_WAIT = 5.0


def check(aws):
    yield from steps(aws, topic_exists, queues_allow_topic, raw_subscriptions, priority_filter, fanout_delivers)


# ---- lookups -------------------------------------------------------------

def topic_arn(aws) -> str:
    return f"arn:aws:sns:{aws.region}:{aws.account_id}:{aws.names.topic}"


def topic_found(aws) -> bool:
    return fetch(aws.sns.get_topic_attributes, TopicArn=topic_arn(aws)) is not None


def queue_url(aws, name: str) -> str | None:
    found = fetch(aws.sqs.get_queue_url, QueueName=name)
    return found["QueueUrl"] if found else None


def queue_attributes(aws, name: str) -> dict | None:
    url = queue_url(aws, name)
    if url is None:
        return None
    return aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def queue_arn(aws, name: str) -> str:
    return f"arn:aws:sqs:{aws.region}:{aws.account_id}:{name}"


def subscriptions(aws) -> list[dict]:
    pages = aws.sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn(aws))
    return [s for page in pages for s in page.get("Subscriptions", [])]


def subscription_of(aws, queue: str) -> dict | None:
    """The attributes of the topic's SQS subscription for ``queue``, or None."""
    for sub in subscriptions(aws):
        if sub.get("Protocol") == "sqs" and sub.get("Endpoint") == queue_arn(aws, queue):
            return aws.sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
    return None


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# ---- step 1 --------------------------------------------------------------

def topic_exists(aws):
    if not topic_found(aws):
        return failed(f"Topic {aws.names.topic} does not exist yet; create it with CreateTopic.")
    return passed(f"Topic {aws.names.topic} exists ({topic_arn(aws)}).")


# ---- step 2 --------------------------------------------------------------

def allows_send(statement: dict) -> bool:
    return statement.get("Effect") == "Allow" and any(
        a.lower() == "sqs:sendmessage" for a in as_list(statement.get("Action", [])))


def principal_is_sns(statement: dict) -> bool:
    principal = statement.get("Principal")
    if principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*"):
        return True  # anyone, narrowed by the SourceArn condition (checked separately)
    return isinstance(principal, dict) and "sns.amazonaws.com" in as_list(principal.get("Service", []))


def source_arns(statement: dict) -> list[str]:
    found = []
    for operator, conditions in (statement.get("Condition") or {}).items():
        if operator.lower() not in SOURCE_ARN_OPERATORS:
            continue
        for key, value in conditions.items():
            if key.lower() == "aws:sourcearn":
                found += as_list(value)
    return found


def resource_covers(statement: dict, arn: str) -> bool:
    return any(r in ("*", arn) for r in as_list(statement.get("Resource", "*")))


def policy_problem(aws, name: str, policy_text: str | None) -> str | None:
    """Why queue ``name``'s policy does not let exactly our topic send, or None."""
    if not policy_text:
        return f"queue {name} has no queue policy, so SNS may not send to it"
    statements = as_list(json.loads(policy_text).get("Statement", []))
    sending = [s for s in statements if allows_send(s) and principal_is_sns(s)]
    if not sending:
        return (f"queue {name}'s policy has no statement allowing sqs:SendMessage to the principal "
                "sns.amazonaws.com")
    if not any(resource_covers(s, queue_arn(aws, name)) for s in sending):
        return f"queue {name}'s policy allows sqs:SendMessage on another resource, not on the queue itself"
    pinned = [s for s in sending if topic_arn(aws) in source_arns(s)]
    if not pinned:
        seen = sorted({arn for s in sending for arn in source_arns(s)})
        what = f"names {', '.join(seen)}" if seen else "has no aws:SourceArn condition"
        return (f"queue {name}'s policy statement allowing SNS {what}, so it does not limit senders to "
                f"topic {aws.names.topic}")
    return None


def queues_allow_topic(aws):
    names = (aws.names.all_queue, aws.names.priority_queue)
    missing = [name for name in names if queue_url(aws, name) is None]
    if missing:
        return failed(f"Queue(s) {', '.join(missing)} do not exist yet; create both {' and '.join(names)}.")
    for name in names:
        problem = policy_problem(aws, name, queue_attributes(aws, name).get("Policy"))
        if problem:
            return failed(f"Expected a policy allowing topic {aws.names.topic} to call sqs:SendMessage, but "
                          f"{problem}.", hint="Allow sqs:SendMessage to {\"Service\": \"sns.amazonaws.com\"} on "
                          "the queue ARN, with Condition ArnEquals aws:SourceArn = the topic ARN.")
    return passed(f"Queues {' and '.join(names)} both allow only topic {aws.names.topic} to send to them.")


# ---- step 3 --------------------------------------------------------------

def raw_subscriptions(aws):
    if not topic_found(aws):
        return failed(f"Topic {aws.names.topic} does not exist, so it has no subscriptions.")
    for name in (aws.names.all_queue, aws.names.priority_queue):
        attributes = subscription_of(aws, name)
        if attributes is None:
            return failed(f"Topic {aws.names.topic} has no sqs subscription for queue {name}; expected one "
                          f"with endpoint {queue_arn(aws, name)}.")
        if str(attributes.get("RawMessageDelivery", "false")).lower() != "true":
            return failed(f"The subscription of queue {name} to topic {aws.names.topic} has raw message "
                          "delivery off, so consumers receive an SNS JSON envelope; expected "
                          "RawMessageDelivery true.", hint="set_subscription_attributes(..., "
                          "AttributeName=\"RawMessageDelivery\", AttributeValue=\"true\").")
    return passed(f"Both queues are subscribed to topic {aws.names.topic} with raw message delivery.")


# ---- step 4 --------------------------------------------------------------

def priority_filter(aws):
    names = aws.names
    if not topic_found(aws):
        return failed(f"Topic {names.topic} does not exist, so no subscription can be filtered.")
    priority = subscription_of(aws, names.priority_queue)
    if priority is None:
        return failed(f"Queue {names.priority_queue} is not subscribed to topic {names.topic}, so it has no "
                      "filter policy.")
    everything = subscription_of(aws, names.all_queue)
    if everything and everything.get("FilterPolicy"):
        return failed(f"The subscription of queue {names.all_queue} has a filter policy "
                      f"{everything['FilterPolicy']}; expected none, it must keep every order.")
    if not priority.get("FilterPolicy"):
        return failed(f"The subscription of queue {names.priority_queue} has no filter policy, so it receives "
                      "every order; expected a filter accepting only priority high.",
                      hint="FilterPolicy = {\"priority\": [\"high\"]}.")
    scope = priority.get("FilterPolicyScope", "MessageAttributes")
    return passed(f"The subscription of queue {names.priority_queue} filters on {priority['FilterPolicy']} "
                  f"({scope}).")


# ---- step 5 --------------------------------------------------------------

def publish_order(aws, run: str, priority: str) -> None:
    body = json.dumps({"check": run, "order": f"{run}-{priority}", "priority": priority})
    aws.sns.publish(TopicArn=topic_arn(aws), Message=body, MessageAttributes={
        "priority": {"DataType": "String", "StringValue": priority}})


def received_orders(aws, name: str, run: str, expected: set[str], sweep: bool = False) -> set[str]:
    """Priorities of this run's orders in queue ``name``: long-poll until ``expected`` arrived (at most the
    backend's DELIVERY_WAIT), then, with ``sweep``, one more look for orders that should not be there."""
    url, found = queue_url(aws, name), set()
    budget = DELIVERY_WAIT.get(aws.backend.name, DEFAULT_DELIVERY_WAIT)
    deadline = time.monotonic() + budget
    while True:
        left = deadline - time.monotonic()
        found |= take_orders(aws, url, run, wait=max(1, min(5, int(left))) if left > 0 else 0)
        if expected <= found or time.monotonic() >= deadline:
            break
    return found | take_orders(aws, url, run, wait=1 if budget else 0) if sweep else found


def take_orders(aws, url: str, run: str, wait: int) -> set[str]:
    """One receive: delete this run's test orders, leave everything else visible again at once."""
    found = set()
    response = aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
    for message in response.get("Messages", []):
        if run in message["Body"]:
            found.add(priority_of(message["Body"]))
            aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        else:
            aws.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"],
                                              VisibilityTimeout=0)
    return found


def priority_of(body: str) -> str:
    """The priority of a test order, delivered raw or inside an SNS envelope."""
    data = json.loads(body)
    if "Message" in data and "priority" not in data:
        data = json.loads(data["Message"])
    return data.get("priority", "?")


def fanout_delivers(aws):
    names = aws.names
    if not topic_found(aws) or None in (queue_url(aws, names.all_queue), queue_url(aws, names.priority_queue)):
        return failed(f"Topic {names.topic} and queues {names.all_queue} and {names.priority_queue} must exist "
                      "before the checker can publish test orders.")
    run = f"labcheck-{uuid.uuid4().hex[:12]}"
    publish_order(aws, run, "high")
    publish_order(aws, run, "low")
    everything = received_orders(aws, names.all_queue, run, {"high", "low"})
    # Once both orders reached the unfiltered queue, a low order in the filtered one would be there too.
    priority = received_orders(aws, names.priority_queue, run, {"high"}, sweep=True)
    if everything != {"high", "low"}:
        return failed(f"The checker published a high and a low order to topic {names.topic}, but queue "
                      f"{names.all_queue} received {describe(everything)}; expected both.")
    if priority != {"high"}:
        return failed(f"The checker published a high and a low order to topic {names.topic}, but queue "
                      f"{names.priority_queue} received {describe(priority)}; expected only the high one.")
    return passed(f"A high and a low order published to {names.topic} both reached {names.all_queue}, and only "
                  f"the high one reached {names.priority_queue}.")


def describe(priorities: set[str]) -> str:
    return " and ".join(f"the {p} order" for p in sorted(priorities)) if priorities else "nothing"
