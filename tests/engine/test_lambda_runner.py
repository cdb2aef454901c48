"""lambda_runner: a deployed version's handler runs locally, with its own environment, in the sandbox only."""

import io
import json
import urllib.request
import zipfile

import pytest

from labrunner.harness import LearnerCodeError
from labrunner.lambda_runner import CODE_PATH, fetch_code, invoke

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

ECHO = '''\
import os
import boto3

def handler(event, context):
    identity = boto3.client("sts").get_caller_identity()
    return {"event": event, "stage": os.environ.get("STAGE"), "endpoint": os.environ["AWS_ENDPOINT_URL"],
            "key": os.environ["AWS_ACCESS_KEY_ID"], "account": identity["Account"],
            "version": context.function_version, "name": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
            "remaining": context.get_remaining_time_in_millis() > 0}
'''


def zipped(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def sandbox(lab_sandbox, emulator):
    if emulator.name != "moto":
        pytest.skip("the code endpoint is a moto extension")
    _, checker, learner = lab_sandbox("lambda-stage-env-vars")
    role = learner.iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]

    def deploy(name, source, variables=None, timeout=3, handler="app.handler", files=None):
        learner.client("lambda").create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler=handler, Timeout=timeout,
            Code={"ZipFile": zipped(files or {"app.py": source})},
            Environment={"Variables": variables or {}})

    checker.deploy = deploy
    checker.learner = learner
    return checker


def test_aliases_run_their_own_version_with_its_environment(sandbox):
    awslambda = sandbox.learner.client("lambda")
    sandbox.deploy("f", ECHO, {"STAGE": "dev"})
    first = awslambda.publish_version(FunctionName="f")["Version"]
    awslambda.update_function_configuration(FunctionName="f", Environment={"Variables": {"STAGE": "prod"}})
    second = awslambda.publish_version(FunctionName="f")["Version"]
    awslambda.create_alias(FunctionName="f", Name="dev", FunctionVersion=first)
    awslambda.create_alias(FunctionName="f", Name="prod", FunctionVersion=second)
    dev = invoke(sandbox, "f", {"n": 1}, qualifier="dev").value
    prod = invoke(sandbox, "f", {"n": 2}, qualifier="prod").value
    assert (dev["stage"], dev["version"], dev["event"]) == ("dev", first, {"n": 1})
    assert (prod["stage"], prod["version"]) == ("prod", second)
    assert invoke(sandbox, "f", {}).value["version"] == "$LATEST"


def test_the_handler_talks_to_the_sandbox_as_the_learner(sandbox):
    sandbox.deploy("f", ECHO, {"AWS_ENDPOINT_URL": "https://example.com", "AWS_ACCESS_KEY_ID": "stolen",
                               "AWS_ENDPOINT_URL_STS": "https://example.com"})
    value = invoke(sandbox, "f", {}).value
    assert value["endpoint"] == sandbox.endpoint
    assert value["key"] == sandbox.sandbox.learner.access_key
    assert value["account"] == sandbox.account_id
    assert value["name"] == "f" and value["remaining"] is True


def test_code_comes_from_the_runner_endpoint_not_code_location(sandbox):
    sandbox.deploy("f", "def handler(e, c):\n    return 1\n")
    code = fetch_code(sandbox, "f")
    assert zipfile.ZipFile(io.BytesIO(code.zip_bytes)).namelist() == ["app.py"]
    assert (code.handler, code.runtime, code.version) == ("app.handler", "python3.12", "$LATEST")
    assert fetch_code(sandbox, "nothing") is None
    assert fetch_code(sandbox, "f", "missing-alias") is None


def test_the_endpoint_wants_an_account_and_a_function(sandbox):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{sandbox.endpoint}{CODE_PATH}?function=f")
    assert caught.value.code == 400


def test_handler_in_a_package_folder(sandbox):
    sandbox.deploy("f", "", handler="src/app.main",
                   files={"src/__init__.py": "", "src/app.py": "def main(event, context):\n    return event['x'] * 2\n"})
    assert invoke(sandbox, "f", {"x": 21}).value == 42


@pytest.mark.parametrize("source, expected", [
    ("def handler(e, c):\n    raise ValueError('boom')\n", "raised ValueError: boom (line 2 of app.py)"),
    ("def other(e, c):\n    return 1\n", "has no function handler in app"),
    ("import nothing_here\n", "could not import app: ModuleNotFoundError"),
    ("def handler(e, c):\n    return object()\n", "which is not JSON"),
], ids=["raises", "no handler", "import error", "not JSON"])
def test_broken_handlers_give_one_sentence(sandbox, source, expected):
    sandbox.deploy("f", source)
    with pytest.raises(LearnerCodeError) as caught:
        invoke(sandbox, "f", {})
    assert expected in caught.value.sentence
    assert caught.value.sentence.startswith("Function f (version $LATEST)")


def test_a_handler_that_hangs_is_stopped(sandbox):
    sandbox.deploy("f", "import time\n\ndef handler(e, c):\n    time.sleep(30)\n", timeout=1)
    with pytest.raises(LearnerCodeError) as caught:
        invoke(sandbox, "f", {})
    assert "did not return within 1 s" in caught.value.sentence


def test_a_missing_function_is_a_sentence(sandbox):
    with pytest.raises(LearnerCodeError) as caught:
        invoke(sandbox, "ghost", {}, qualifier="dev")
    assert caught.value.sentence == "Function ghost:dev does not exist, so it cannot be run."


def test_zip_paths_outside_the_folder_are_refused(sandbox):
    sandbox.deploy("f", "", files={"app.py": "def handler(e, c):\n    return 1\n", "../escape.py": "x = 1\n"})
    with pytest.raises(LearnerCodeError) as caught:
        invoke(sandbox, "f", {})
    assert "unsafe path ../escape.py" in caught.value.sentence
