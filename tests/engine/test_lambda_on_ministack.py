"""On ministack, checkers run Lambda handlers through the backend's own Invoke, not in a local child.

One private ministack for the module (installed into the runner's tools
folder on first use, like tests/engine/test_labs_on_other_backends.py).  The
first tests call ``invoke_on_backend`` with handlers that need no SDK and
prove from ministack's own log group that ministack ran them.  The rest need
boto3 in ministack's interpreter, where handlers run (``lambda_boto3`` in the
launcher's info): ``invoke`` choosing the backend, the handler acting in the
sandbox's account, S3-triggered loops stopping as on AWS, and every proof of
the three Lambda labs (reference, near-misses, alternatives) with the local
path spied on and never taken.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from labrunner import lambda_runner
from labrunner.catalog import load
from labrunner.grading import Status
from labrunner.harness import LearnerCodeError
from labrunner.lambda_invoke import invoke_on_backend, version_config
from labrunner.lookups import fetch
from labrunner.proof import lab_attempts, proofs, run_proof
from labrunner.sandbox import Aws
from labrunner.sandboxes import new_sandbox
from tests.engine.capability_probes import emulator
from tests.engine.test_labs_on_other_backends import prepare

WORKERS = 4  # proofs at a time on the one server: each runs real handlers, some real 16-hop S3 loops
LAMBDA_LABS = {"lambda-stage-env-vars": 5, "lambda-avoid-recursion": 4, "lambda-fix-recursion": 2}  # lab: run step
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
ECHO = '''\
import os

def handler(event, context):
    print("stage", os.environ.get("STAGE"))
    return {"event": event, "stage": os.environ.get("STAGE"), "version": context.function_version,
            "key": os.environ["AWS_ACCESS_KEY_ID"], "name": os.environ["AWS_LAMBDA_FUNCTION_NAME"]}
'''
IDENTITY = '''\
import os
import boto3

def handler(event, context):
    return {"account": boto3.client("sts").get_caller_identity()["Account"],
            "buckets": [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]],
            "endpoint": os.environ.get("AWS_ENDPOINT_URL")}
'''


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def ministack(labs_state_dir):
    prepare("ministack")
    with emulator("ministack") as backend:
        yield backend


@pytest.fixture
def with_sdk(ministack):
    if not ministack.info().get("lambda_boto3"):
        pytest.skip("ministack's interpreter has no boto3 here, so handlers that import it cannot run there and "
                    "the runner keeps them local: install boto3 beside ministack (REQUIREMENT in "
                    "labrunner/backends/ministack.py) to run these")
    return ministack


@pytest.fixture
def sandbox(ministack):
    sandbox = new_sandbox(load().get("lambda-stage-env-vars"), ministack)
    checker, learner = Aws(sandbox, ministack), Aws(sandbox, ministack, as_learner=True)
    role = learner.iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]

    def deploy(name, source, variables=None, timeout=3):
        learner.client("lambda").create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Timeout=timeout,
            Code={"ZipFile": zipped(source)}, Environment={"Variables": variables or {}})

    checker.deploy, checker.learner = deploy, learner
    return checker


@pytest.fixture
def no_local_child(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the handler was run in a local child")

    monkeypatch.setattr(lambda_runner, "run_locally", refuse)


def on_backend(aws, function, event, qualifier=None):
    return invoke_on_backend(aws, version_config(aws, function, qualifier), event, qualifier)


def started_versions(aws, function) -> list[str]:
    """The versions ministack's own log group says it started (``START RequestId: … Version: N``)."""
    found = fetch(aws.logs.filter_log_events, logGroupName=f"/aws/lambda/{function}")
    events = found["events"] if found else []
    return [e["message"].split("Version: ")[1].strip() for e in events if e["message"].startswith("START")]


def test_aliases_run_their_own_version_on_ministack(sandbox):
    awslambda = sandbox.learner.client("lambda")
    sandbox.deploy("f", ECHO, {"STAGE": "dev"})
    first = awslambda.publish_version(FunctionName="f")["Version"]
    awslambda.update_function_configuration(FunctionName="f", Environment={"Variables": {"STAGE": "prod"}})
    awslambda.get_waiter("function_updated_v2").wait(FunctionName="f")
    second = awslambda.publish_version(FunctionName="f")["Version"]
    awslambda.create_alias(FunctionName="f", Name="prod", FunctionVersion=second)
    dev, prod = on_backend(sandbox, "f", {"n": 1}, first), on_backend(sandbox, "f", {"n": 2}, "prod")
    assert (dev.value["stage"], dev.value["version"], dev.version, dev.value["event"]) == ("dev", first, first,
                                                                                         {"n": 1})
    assert (prod.value["stage"], prod.version, prod.function) == ("prod", second, "f")
    assert "stage prod" in prod.output  # LogResult: what the handler printed
    assert prod.value["key"] == sandbox.account_id and prod.value["name"] == "f"
    assert sorted(started_versions(sandbox, "f")) == sorted([first, second])


@pytest.mark.parametrize("source, expected", [
    ("def helper():\n    raise ValueError('boom')\n\ndef handler(e, c):\n    helper()\n",
     "Function f (version $LATEST) raised ValueError: boom (line 2 of app.py)."),
    ("import nothing_here\n\ndef handler(e, c):\n    return 1\n", "No module named 'nothing_here'"),
    ("import time\n\ndef handler(e, c):\n    print('waiting', flush=True)\n    time.sleep(30)\n",
     "Function f (version $LATEST) did not return within 1 s; its last output was: waiting."),
], ids=["raises", "import error", "times out"])
def test_function_errors_give_the_local_runners_sentences(sandbox, source, expected):
    sandbox.deploy("f", source, timeout=1)
    with pytest.raises(LearnerCodeError) as caught:
        on_backend(sandbox, "f", {})
    assert expected in caught.value.sentence
    assert started_versions(sandbox, "f") == ["$LATEST"]


def test_without_boto3_on_the_server_invoke_stays_local(sandbox, monkeypatch):
    info = {**sandbox.backend.info(), "lambda_boto3": False}
    monkeypatch.setattr(sandbox.backend, "info", lambda: info)
    monkeypatch.setattr(lambda_runner, "invoke_on_backend", lambda *a, **k: pytest.fail("went to the backend"))
    sandbox.deploy("f", ECHO, {"STAGE": "dev"})
    assert lambda_runner.invoke(sandbox, "f", {"n": 3}).value["event"] == {"n": 3}
    assert started_versions(sandbox, "f") == []


def test_invoke_goes_through_the_backend_in_the_sandbox_account(with_sdk, sandbox, no_local_child):
    sandbox.learner.s3.create_bucket(Bucket=f"mine-{sandbox.account_id}")
    sandbox.deploy("f", IDENTITY)
    value = lambda_runner.invoke(sandbox, "f", {}).value
    assert value == {"account": sandbox.account_id, "buckets": [f"mine-{sandbox.account_id}"],
                     "endpoint": sandbox.endpoint}
    assert started_versions(sandbox, "f") == ["$LATEST"]


def test_missing_functions_and_qualifiers_are_sentences(with_sdk, sandbox, no_local_child):
    sandbox.deploy("f", ECHO)
    for function, qualifier, named in (("ghost", None, "ghost"), ("f", "dev", "f:dev")):
        with pytest.raises(LearnerCodeError) as caught:
            lambda_runner.invoke(sandbox, function, {}, qualifier=qualifier)
        assert caught.value.sentence == f"Function {named} does not exist, so it cannot be run."


def test_variables_that_redirect_the_sdk_run_locally_inside_the_sandbox(with_sdk, sandbox):
    sandbox.deploy("f", IDENTITY, {"AWS_ENDPOINT_URL": "http://example.invalid:1",
                                   "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"})
    value = lambda_runner.invoke(sandbox, "f", {}).value
    assert (value["endpoint"], value["account"]) == (sandbox.endpoint, sandbox.account_id)
    assert started_versions(sandbox, "f") == []  # ministack never ran it


def test_an_s3_loop_stops_after_16_invocations(with_sdk):
    """lambda-fix-recursion's own deployment writes every summary back into its trigger."""
    lab = load().get("lambda-fix-recursion")
    sandbox = new_sandbox(lab, with_sdk)
    checker = Aws(sandbox, with_sdk)
    names = checker.names
    checker.s3.put_object(Bucket=names.bucket, Key="incoming/a.csv", Body=b"north,1\n")
    counts = []
    for _ in range(40):
        time.sleep(0.25)
        counts.append(checker.s3.list_objects_v2(Bucket=names.bucket)["KeyCount"])
        if len(counts) > 8 and len(set(counts[-8:])) == 1:
            break
    assert counts[-1] == 1 + 16, counts  # the upload and 16 summaries of summaries, then Lambda drops the 17th
    assert len(started_versions(checker, names.function)) == 16


@pytest.fixture(scope="module")
def lab_proofs(ministack):
    """Every proof of the Lambda labs on ministack, with the paths each invocation took."""
    if not ministack.info().get("lambda_boto3"):
        return None
    taken = {"backend": [], "local": []}
    real_backend, real_local = lambda_runner.invoke_on_backend, lambda_runner.run_locally

    def backend(aws, config, *args, **kwargs):
        taken["backend"].append(aws.sandbox.lab_id)
        return real_backend(aws, config, *args, **kwargs)

    def local(aws, *args, **kwargs):
        taken["local"].append(aws.sandbox.lab_id)
        return real_local(aws, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch, ThreadPoolExecutor(WORKERS) as pool:
        patch.setattr(lambda_runner, "invoke_on_backend", backend)
        patch.setattr(lambda_runner, "run_locally", local)
        futures = {lab_id: [pool.submit(run_proof, proof) for proof in proofs(load().get(lab_id), ministack)]
                   for lab_id in LAMBDA_LABS}
        outcomes = {lab_id: [f.result() for f in found] for lab_id, found in futures.items()}
    return outcomes, taken


@pytest.mark.parametrize("lab_id", sorted(LAMBDA_LABS))
def test_lambda_lab_is_proven_through_ministack(with_sdk, lab_proofs, lab_id):
    outcomes, taken = lab_proofs
    failures = [f"{o.name}: {o.sentence}" for o in outcomes[lab_id] if not o.ok]
    assert not failures, f"{lab_id} on ministack: {failures}"
    run_step = LAMBDA_LABS[lab_id]

    def status(outcome_name: str) -> Status:
        outcome = next(o for o in outcomes[lab_id] if o.name == outcome_name)
        return next(s.status for s in outcome.result.steps if s.number == run_step)

    assert status("reference passes") is Status.PASS
    near_misses = [m.name for m in lab_attempts(load().get(lab_id))[0] if m.step == run_step]
    assert near_misses and {status(name) for name in near_misses} == {Status.FAIL}, near_misses
    assert lab_id in taken["backend"] and lab_id not in taken["local"], taken
