"""Never real AWS: with a learner's real-looking settings all around, nothing leaves this machine.

tests/engine/test_sandboxes.py already proves the pieces: ``learner_env``
drops hostile variables, ``eval "$(inv lab.env)"`` beats a hostile shell for
boto3 and the CLI.  This module proves the whole paths with everything a real
machine has at once: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/
``AWS_SESSION_TOKEN``/``AWS_PROFILE``/``AWS_ENDPOINT_URL_S3`` in the
environment and a ``HOME`` whose ``~/.aws/config`` and ``credentials`` name
other keys and a non-loopback ``endpoint_url``.

In this process the suite's network guard (tests/conftest.py) fails any test
that reaches past loopback.  Subprocesses (``inv``, learner code, the AWS CLI)
are not patched by it, so for those the proof is the emulator's call journal:
moto files a request signed with a key it does not know under its default
account, so a real key used anywhere shows up there; and every call in the
sandbox's account must carry a sandbox key.  Their output is searched for the
real values too.  The hostile endpoints are under the reserved ``.invalid``
domain, so even a regression could not reach a real host.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from moto.core import DEFAULT_ACCOUNT_ID

from labrunner.catalog import load
from labrunner.paths import ROOT
from labrunner.proof import prove_fresh_fails, prove_reference_passes

ENV_KEY, ENV_SECRET, ENV_TOKEN = "AKIAENVREALLOOKING01", "env-secret-0123456789abcdefghijklmnopqrs", "env-session-token-xyz"
FILE_KEY, FILE_SECRET = "AKIAFILEREALLOOKING2", "file-secret-0123456789abcdefghijklmnop"
PROFILE = "prod-admin"
REMOTE_S3 = "https://s3.corp-proxy.invalid"
REMOTE_DEFAULT = "https://aws-gateway.corp.invalid"
HOSTILE_ENV = {
    "AWS_ACCESS_KEY_ID": ENV_KEY, "AWS_SECRET_ACCESS_KEY": ENV_SECRET, "AWS_SESSION_TOKEN": ENV_TOKEN,
    "AWS_PROFILE": PROFILE, "AWS_ENDPOINT_URL_S3": REMOTE_S3, "AWS_DEFAULT_REGION": "eu-west-3",
}
# Values that must never be used or shown (names of variables may be, in `unset` lines).
SECRETS = (ENV_KEY, ENV_SECRET, ENV_TOKEN, FILE_KEY, FILE_SECRET, REMOTE_S3, REMOTE_DEFAULT, "corp.invalid")
REAL_KEYS = {ENV_KEY, FILE_KEY}

pytest_plugins = ["pytester"]

LABS = ["s3-multipart-upload", "dynamodb-ttl", "dynamodb-streams", "sts-assume-role"]  # two code labs: subprocesses
TASK_LAB = "s3-put-object"


def hostile_home(home):
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    (aws / "config").write_text(textwrap.dedent(f"""\
        [default]
        region = eu-west-3
        endpoint_url = {REMOTE_DEFAULT}
        [profile {PROFILE}]
        region = eu-west-3
        endpoint_url = {REMOTE_DEFAULT}
        services = corp
        [services corp]
        s3 =
          endpoint_url = {REMOTE_S3}
        """))
    (aws / "credentials").write_text(f"[default]\naws_access_key_id = {FILE_KEY}\naws_secret_access_key = {FILE_SECRET}\n"
                                     f"[{PROFILE}]\naws_access_key_id = {FILE_KEY}\n"
                                     f"aws_secret_access_key = {FILE_SECRET}\n")
    return home


def real_key_calls(emulator) -> list[dict]:
    """Calls the emulator received signed with the user's keys (moto files unknown keys under its default account)."""
    return [c for c in emulator.fetch_journal(DEFAULT_ACCOUNT_ID) if c.get("access_key") in REAL_KEYS]


def leaked(text: str) -> list[str]:
    return [value for value in SECRETS if value in text]


# --- the guard itself -------------------------------------------------------

def test_the_guard_knows_loopback_from_the_rest():
    from tests.conftest import is_loopback_host

    assert all(map(is_loopback_host, ["127.0.0.1", "127.0.0.53", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"]))
    assert not any(map(is_loopback_host, ["192.0.2.10", "10.0.0.1", "0.0.0.0", "s3.amazonaws.com", "::ffff:8.8.8.8"]))


def test_the_guard_fails_a_test_that_swallows_the_refusal(pytester):
    pytester.makeconftest((ROOT / "tests" / "conftest.py").read_text())
    pytester.makepyfile("""
        import socket, boto3

        def test_reaches_out():
            try:  # TEST-NET-1: reserved, reaches nothing even without the guard
                socket.create_connection(("192.0.2.10", 443), timeout=0.5)
            except Exception:
                pass

        def test_boto3_to_real_aws():
            s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
            try:
                s3.list_buckets()
            except Exception:
                pass

        def test_loopback_is_fine():
            with socket.socket() as server:
                server.bind(("127.0.0.1", 0))
                server.listen()
                socket.create_connection(server.getsockname(), timeout=1).close()
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")  # a subprocess: this session's guard stays out
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*attempt(s) to leave this machine*192.0.2.10*",
                                 "*a name lookup of 's3.amazonaws.com'*",
                                 "*non-loopback connections or lookups blocked*"], consecutive=False)


# --- in process: the catalogue self-test ------------------------------------

@pytest.fixture
def hostile_machine(monkeypatch, tmp_path):
    home = hostile_home(tmp_path / "home")
    monkeypatch.setenv("HOME", str(home))
    for name, value in HOSTILE_ENV.items():
        monkeypatch.setenv(name, value)
    return home


def test_the_catalogue_self_test_never_uses_real_credentials(emulator, hostile_machine, network_guard):
    before = len(network_guard.blocked)
    for lab_id in LABS:
        lab = load().get(lab_id)
        fresh, solved = prove_fresh_fails(lab, emulator), prove_reference_passes(lab, emulator)
        assert fresh.ok, fresh.sentence
        assert solved.ok, solved.sentence  # code labs ran the reference in a subprocess with the hostile environment
        messages = " ".join(s.message for s in fresh.result.steps + solved.result.steps)
        assert leaked(messages) == []
    assert len(network_guard.blocked) == before
    assert real_key_calls(emulator) == []


# --- subprocesses: the learner's tasks --------------------------------------

@pytest.fixture
def learner(emulator, tmp_path):
    """`inv ...` as a learner on a machine with real AWS settings, against the session's emulator."""
    home = hostile_home(tmp_path / "home")
    env = {"PATH": f"{sys.prefix}/bin:/usr/bin:/bin", "HOME": str(home), "LABS_STATE_DIR": str(home / "state"),
           "LABS_WORKSPACE": str(home / "workspace"), "LABS_ENDPOINT": emulator.endpoint, "LABS_BACKEND": "moto",
           **HOSTILE_ENV}

    def inv(*args):
        return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)

    def sandbox():
        return json.loads((home / "state" / "sandboxes.json").read_text())[TASK_LAB]

    inv.env, inv.home, inv.sandbox = env, home, sandbox
    return inv


PROBE = """
import json, os, pathlib
import boto3
s3 = boto3.client("s3")
bucket = os.environ["LABS_NAME_BUCKET"]
s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key="probe.txt", Body=b"hi")
session = boto3.session.Session()
pathlib.Path(__file__).with_suffix(".json").write_text(json.dumps({
    "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("AWS_")},
    "profiles": session.available_profiles,
    "key": session.get_credentials().access_key,
    "s3": s3.meta.endpoint_url,
    "sts": boto3.client("sts").meta.endpoint_url,
    "account": boto3.client("sts").get_caller_identity()["Account"],
}))
print(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"], os.environ.get("AWS_SESSION_TOKEN"))
"""


def test_lab_env_run_and_aws_hand_out_only_the_sandbox(learner, emulator):
    exports = learner("lab.env", TASK_LAB)
    assert exports.returncode == 0, exports.stderr
    sandbox = learner.sandbox()
    account, learner_key = sandbox["account_id"], sandbox["learner"]["access_key"]
    assert leaked(exports.stdout + exports.stderr) == []
    lines = exports.stdout.splitlines()
    assert {"unset AWS_PROFILE", "unset AWS_SESSION_TOKEN", "unset AWS_ENDPOINT_URL_S3"} <= set(lines)
    assert f"export AWS_ACCESS_KEY_ID={learner_key}" in lines
    assert f"export AWS_ENDPOINT_URL={emulator.endpoint}" in lines

    (learner.home / "workspace").mkdir(exist_ok=True)
    (learner.home / "workspace" / "s3_put_object.py").write_text(PROBE)
    run = learner("lab.run", TASK_LAB)
    shown = run.stdout + run.stderr
    assert leaked(shown) == [] and "Traceback" not in shown
    assert run.returncode == 1 and "exited with code" not in shown, shown  # the probe ran; the lab is not solved
    assert "✔ 1. Create the bucket" in run.stdout
    probe = json.loads((learner.home / "workspace" / "s3_put_object.json").read_text())
    assert leaked(json.dumps(probe)) == []
    assert probe["account"] == account and probe["key"] == learner_key
    assert probe["s3"] == probe["sts"] == emulator.endpoint
    assert PROFILE not in probe["profiles"]  # ~/.aws is out of sight, not merely overridden
    assert probe["env"]["AWS_CONFIG_FILE"] != str(learner.home / ".aws" / "config")

    cli = learner("aws", TASK_LAB, "--", "sts", "get-caller-identity", "--output", "json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Account"] == account and leaked(cli.stdout + cli.stderr) == []

    # The shell a learner evaluates the exports in keeps its hostile variables and ~/.aws until then.
    shell = subprocess.run(["bash", "-c", f'eval "$({sys.executable} -m invoke lab.env {TASK_LAB})"; '
                            f"{sys.executable} -c 'import boto3; print(boto3.client(\"s3\").list_objects_v2("
                            f"Bucket=\"{sandbox['names']['bucket']}\")[\"KeyCount\"])'"],
                           cwd=ROOT, env=learner.env, capture_output=True, text=True, timeout=120)
    assert shell.stdout.strip() == "1", shell.stderr

    calls = emulator.fetch_journal(account)
    assert calls, "the sandbox's journal recorded nothing"
    assert {c["access_key"] for c in calls} <= {learner_key, sandbox["checker"]["access_key"]}
    assert {"CreateBucket", "PutObject", "GetCallerIdentity", "ListObjectsV2"} <= {
        op for c in calls for op in [journal_operation(c)]}
    assert real_key_calls(emulator) == []


def journal_operation(raw: dict) -> str:
    from labrunner.journal import to_call

    return to_call(raw).operation
