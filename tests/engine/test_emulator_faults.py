"""Emulator faults: killed mid-session, a stale record from a crash, two `inv up` at the same moment."""

import json
import os
import signal
import subprocess
import sys
import time

from labrunner.paths import ROOT

LAB = "dynamodb-ttl"


def test_a_killed_emulator_is_reported_and_inv_up_recovers(runner):
    assert runner("up").returncode == 0
    assert runner("lab.start", LAB).returncode == 0
    pid = json.loads(runner("status", "--json").stdout)["pid"]
    os.killpg(pid, signal.SIGKILL)
    time.sleep(0.3)
    down = runner("lab.check", LAB)
    assert down.returncode == 2 and "inv up" in down.stderr and "Traceback" not in down.stderr
    assert runner("status").returncode == 1
    assert runner("up").returncode == 0
    again = runner("lab.check", LAB)
    assert again.returncode == 1 and "sandbox was lost" in again.stderr  # a fresh sandbox, said so


def test_a_stale_record_from_a_crash_is_replaced(runner):
    runner("down")
    (runner.home / "state" / "server.json").write_text(json.dumps({
        "backend": "moto", "endpoint": "http://127.0.0.1:9", "pid": 999999, "boot_id": "gone", "log": "x"}))
    up = runner("up")
    assert up.returncode == 0 and "is running at" in up.stdout
    record = json.loads(runner("status", "--json").stdout)
    assert record["healthy"] and record["pid"] != 999999


def test_two_ups_at_once_start_one_server(runner):
    runner("down")
    starts = [subprocess.Popen([sys.executable, "-m", "invoke", "up"], cwd=ROOT, env=runner.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in starts]
    assert all(process.returncode == 0 for process in starts)
    assert sum("already running" in out for out in outputs) == 1, outputs
    port = json.loads(runner("status", "--json").stdout)["endpoint"].rsplit(":", 1)[1]
    servers = subprocess.run(["pgrep", "-f", f"moto_server --port {port}"], capture_output=True, text=True)
    assert len(servers.stdout.split()) == 1
