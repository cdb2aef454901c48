"""Sandboxes: one account each, isolated, and the environment handed to learners."""

import json
import subprocess
import sys

import pytest

from labrunner.sandbox import REMOVED_VARIABLES

HOSTILE = {
    "AWS_PROFILE": "production", "AWS_ACCESS_KEY_ID": "AKIAREALLOOKING00001",
    "AWS_SECRET_ACCESS_KEY": "real-secret", "AWS_SESSION_TOKEN": "real-token",
    "AWS_ENDPOINT_URL_STS": "https://sts.amazonaws.com", "AWS_ENDPOINT_URL_SQS": "https://sqs.us-east-1.amazonaws.com",
    "AWS_DEFAULT_REGION": "eu-west-3",
}


def test_two_sandboxes_see_nothing_of_each_other(lab_sandbox):
    _, first, _ = lab_sandbox("s3-multipart-upload")
    _, second, _ = lab_sandbox("s3-multipart-upload")
    assert first.account_id != second.account_id
    assert first.names.bucket != second.names.bucket
    first.s3.create_bucket(Bucket=first.names.bucket)
    first.sqs.create_queue(QueueName="orders")
    assert second.s3.list_buckets()["Buckets"] == []
    assert second.sqs.list_queues().get("QueueUrls", []) == []
    assert first.sts.get_caller_identity()["Account"] == first.account_id


def test_learner_environment_drops_real_credentials_and_overrides(lab_sandbox):
    _, aws, _ = lab_sandbox("s3-multipart-upload")
    env = aws.sandbox.learner_env({"PATH": "/usr/bin", **HOSTILE})
    assert env["AWS_ACCESS_KEY_ID"] == aws.sandbox.learner.access_key
    assert env["AWS_ENDPOINT_URL"] == aws.endpoint and env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert not any(k.startswith("AWS_ENDPOINT_URL_") for k in env)
    assert not set(REMOVED_VARIABLES) & set(env)


def shell(script: str, env: dict) -> str:
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, check=True).stdout


def test_evaluated_exports_beat_a_hostile_shell(lab_sandbox, tmp_path):
    _, aws, _ = lab_sandbox("s3-multipart-upload")
    exports = tmp_path / "exports.sh"
    exports.write_text(aws.sandbox.shell_exports(HOSTILE))
    probe = ("import boto3, json; print(json.dumps([boto3.client('sts').get_caller_identity()['Account'],"
             " boto3.client('sqs').meta.endpoint_url]))")
    env = {"PATH": "/usr/bin:/bin", **HOSTILE}
    account, endpoint = json.loads(shell(f". {exports}; {sys.executable} -c \"{probe}\"", env))
    assert (account, endpoint) == (aws.account_id, aws.endpoint)


def test_the_aws_cli_acts_in_the_sandbox(lab_sandbox, tmp_path):
    _, aws, _ = lab_sandbox("s3-multipart-upload")
    exports = tmp_path / "exports.sh"
    exports.write_text(aws.sandbox.shell_exports(HOSTILE))
    env = {"PATH": "/usr/bin:/bin", **HOSTILE}
    cli = f"{sys.executable} -m awscli"
    shell(f'. {exports}; {cli} sqs create-queue --queue-name cli-made --endpoint-url "$AWS_ENDPOINT_URL"', env)
    identity = json.loads(shell(f". {exports}; {cli} sts get-caller-identity", env))
    assert identity["Account"] == aws.account_id
    assert aws.sqs.get_queue_url(QueueName="cli-made")["QueueUrl"].startswith(aws.endpoint)


def test_a_remote_endpoint_is_refused_without_the_opt_in(monkeypatch):
    from labrunner import server
    from labrunner.errors import LabError

    monkeypatch.setenv("LABS_ENDPOINT", "http://10.20.30.40:4566")
    monkeypatch.delenv("LABS_ALLOW_REMOTE_ENDPOINT", raising=False)
    with pytest.raises(LabError, match="is not on this machine"):
        server.current_backend()


def test_an_opted_in_remote_endpoint_is_named_in_red(monkeypatch, capsys):
    from labrunner import server

    monkeypatch.setenv("LABS_ALLOW_REMOTE_ENDPOINT", "1")
    server.warn_if_remote("http://10.20.30.40:4566")
    assert "Remote emulator: http://10.20.30.40:4566 is not on this machine" in capsys.readouterr().err
    server.warn_if_remote("http://127.0.0.1:4610")
    assert capsys.readouterr().err == ""
