"""The moto extension that shortens one sandbox's empty long polls while its checker runs learner code."""

import time

import pytest

from labrunner.fast_polls import short_empty_polls


@pytest.fixture
def two_sandboxes(lab_sandbox, emulator):
    if emulator.name != "moto":
        pytest.skip("a moto extension")
    return lab_sandbox("sqs-long-polling")[1], lab_sandbox("sqs-long-polling")[1]


def timed_empty_receive(aws, wait: int) -> float:
    url = aws.sqs.create_queue(QueueName="idle")["QueueUrl"]
    started = time.monotonic()
    assert aws.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=wait).get("Messages") is None
    return time.monotonic() - started


def test_a_capped_sandbox_stops_waiting_early_and_others_wait_in_full(two_sandboxes):
    capped, other = two_sandboxes
    with short_empty_polls(capped, seconds=0.2):
        assert timed_empty_receive(capped, 20) < 0.9  # far below the 20 s asked for, and below moto's 1 s step
        assert timed_empty_receive(other, 3) >= 2.5  # same server, another account: untouched


def test_a_message_still_ends_a_capped_wait_and_the_cap_lifts(two_sandboxes):
    capped, _ = two_sandboxes
    url = capped.sqs.create_queue(QueueName="busy")["QueueUrl"]
    capped.sqs.send_message(QueueUrl=url, MessageBody="hello")
    with short_empty_polls(capped):
        assert capped.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"][0]["Body"] == "hello"
    assert timed_empty_receive(capped, 2) >= 1.5
