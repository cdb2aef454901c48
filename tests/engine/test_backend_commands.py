"""`inv backends`, `inv labs --backend`, `inv up --backend ministack` and `--endpoint`, the LocalStack paths."""

import json
import os

import pytest

from labrunner.backends.base import free_port
from labrunner.backends.localstack import LocalstackBackend, python313
from labrunner.backends.ministack import ministack_python
from labrunner.commands.verify import private_emulator


def test_backends_prints_the_matrix_as_json(runner):
    result = runner("backends", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)["backends"]
    assert set(data) == {"moto", "ministack", "localstack"}
    assert "journal" in data["moto"]["features"] and "journal" not in data["ministack"]["features"]
    assert "callable_api_routes" in data["ministack"]["features"]
    assert sum(data["moto"]["labs"].values()) == sum(data["ministack"]["labs"].values())


def test_labs_on_ministack_say_which_labs_it_cannot_grade_and_why(runner):
    result = runner("labs", "--backend", "ministack", "--json")
    assert result.returncode == 0, result.stderr
    support = {row["id"]: row["support"] for row in json.loads(result.stdout)["labs"]}
    assert support["s3-put-object"]["status"] == "full"
    assert support["xray-tracing"]["status"] == "unavailable"
    assert "xray" in support["xray-tracing"]["reasons"][0]
    assert support["sqs-long-polling"]["status"] == "partly"
    assert "call journal" in support["sqs-long-polling"]["steps_not_verifiable"]["5"]
    table = runner("labs", "--backend", "ministack").stdout
    assert "xray-tracing: needs the xray service" in table and "sqs-long-polling step 5: not verifiable" in table


@pytest.fixture
def ministack():
    try:
        ministack_python(install=True)
    except Exception as exc:
        pytest.skip(f"ministack could not be installed here ({exc}); let pip reach PyPI.")


def test_the_learner_loop_on_ministack(runner, ministack):
    assert runner("up", "--backend", "ministack").returncode == 0
    try:
        assert "ministack" in runner("status").stdout
        assert runner("lab.start", "s3-put-object").returncode == 0
        assert runner("lab.check", "s3-put-object").returncode == 1
        assert runner("lab.solve", "s3-put-object").returncode == 0
        checked = runner("lab.check", "s3-put-object")
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        runner("down")


def test_up_attaches_to_a_running_endpoint_and_down_leaves_it_running(runner, ministack):
    with private_emulator("ministack") as backend:
        attached = runner("up", "--backend", "ministack", "--endpoint", backend.endpoint)
        assert attached.returncode == 0, attached.stderr
        assert "started outside the runner" in attached.stdout
        assert runner("status").returncode == 0
        assert runner("down").returncode == 0
        assert backend.info() is not None  # not ours to stop


def test_up_refuses_a_remote_endpoint(runner):
    result = runner("up", "--backend", "localstack", "--endpoint", "http://10.1.2.3:4566")
    assert result.returncode == 2 and "not on this machine" in result.stderr


def test_localstack_without_docker_or_python313_says_what_is_missing_in_one_sentence(runner):
    env = {**runner.env, "LABS_NO_DOCKER": "1", "LABS_PYTHON313": "/nonexistent/python3.13"}
    import subprocess
    import sys

    from labrunner.paths import ROOT

    result = subprocess.run([sys.executable, "-m", "invoke", "up", "--backend", "localstack"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and message.count(". ") == 0, message
    assert "Docker daemon" in message and "Python 3.13" in message and "--endpoint" in message


def localstack_skip_reason() -> str | None:
    if python313() is None:
        return "no Python 3.13 here, so LocalStack's open-source core cannot run on the host"
    if not LocalstackBackend.installed() and os.environ.get("LABS_TEST_LOCALSTACK") != "1":
        return ("LocalStack's core is not installed yet (about 90 s); set LABS_TEST_LOCALSTACK=1 to install it "
                "and run this test")
    return None


def test_localstack_core_on_the_host_checks_a_lab_end_to_end(runner, capsys):
    reason = localstack_skip_reason()
    if reason:
        with capsys.disabled():
            print(f"\nskipping the LocalStack host-core test: {reason}")
        pytest.skip(reason)
    up = runner("up", "--backend", "localstack", "--port", str(free_port()), timeout=600)
    assert up.returncode == 0, up.stdout + up.stderr
    try:
        assert runner("lab.start", "s3-multipart-upload", timeout=300).returncode == 0
        assert runner("lab.check", "s3-multipart-upload", timeout=300).returncode == 1
        assert runner("lab.solve", "s3-multipart-upload", timeout=300).returncode == 0
        checked = runner("lab.check", "s3-multipart-upload", timeout=300)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        runner("down")


def listening_addresses(pid: int) -> list[str]:
    """Local addresses of the TCP sockets ``pid`` listens on (Linux /proc)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.append(fields[1])
    return found


LOOPBACK_HEX = ("0100007F:", "00000000000000000000000001000000:")


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs Linux /proc")
def test_ministack_listens_on_loopback_only(ministack):
    """ministack binds 0.0.0.0 unless BIND_HOST is set, and its IoT MQTT listener always would."""
    with private_emulator("ministack") as backend:
        addresses = listening_addresses(backend.info()["pid"])
    assert addresses and all(a.startswith(LOOPBACK_HEX) for a in addresses), addresses
