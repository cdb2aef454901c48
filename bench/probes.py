"""The measurements behind ``bench/run.py``; each returns seconds (or bytes) per sample.

Everything runs on a private emulator on a free loopback port with a private
state folder, so a benchmark never disturbs the learner's own `inv up`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from labrunner.backends.base import free_port
from labrunner import private_server
from labrunner.backends import BACKENDS
from labrunner.capabilities import FULL, support
from labrunner.catalog import load
from labrunner.grading import grade
from labrunner.proof import prove_reference_passes
from labrunner.paths import ROOT
from labrunner.sandbox import Aws
from labrunner.sandboxes import new_sandbox

BARE_CALL = ("import boto3, os; boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'])"
             ".list_buckets()")


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def private_emulator():
    return private_server.private_emulator("moto")


def in_process_start(repeat: int) -> list[float]:
    """What the test suite does: start the server process, wait for its first answer."""
    def once():
        with private_emulator():
            pass
    return timed(once, repeat)


def learner_env(tmp: Path, port: int) -> dict:
    return {"PATH": f"{sys.prefix}/bin:/usr/bin:/bin", "HOME": str(tmp), "LABS_STATE_DIR": str(tmp / "state"),
            "LABS_WORKSPACE": str(tmp / "ws"), "LABS_PORT": str(port)}


def inv(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def inv_up(repeat: int) -> list[float]:
    """`inv up` end to end, as a learner types it (the server is stopped between samples, untimed)."""
    samples = []
    with tempfile.TemporaryDirectory(prefix="labs-bench-") as tmp:
        env = learner_env(Path(tmp), free_port())
        for _ in range(repeat):
            started = time.perf_counter()
            inv(env, "up")
            samples.append(time.perf_counter() - started)
            inv(env, "down")
    return samples


def check_and_bare_call(repeat: int, lab_id: str = "s3-put-object") -> tuple[list[float], list[float]]:
    """`inv lab.check` on a solved lab, and a bare boto3 process making one call, with a warm emulator."""
    with tempfile.TemporaryDirectory(prefix="labs-bench-") as tmp:
        env = learner_env(Path(tmp), free_port())
        inv(env, "up")
        try:
            inv(env, "lab.solve", lab_id)
            sandbox_env = {**env, **parse_exports(inv(env, "lab.env", lab_id).stdout)}
            checks = timed(lambda: inv(env, "lab.check", lab_id), repeat)
            bare = timed(lambda: subprocess.run([sys.executable, "-c", BARE_CALL], env=sandbox_env, check=True),
                         repeat)
        finally:
            inv(env, "down")
    return checks, bare


def parse_exports(text: str) -> dict:
    exports = {}
    for line in text.splitlines():
        if line.startswith("export "):
            key, value = line[len("export "):].split("=", 1)
            exports[key] = value.strip("'\"")
    return exports


def check_per_lab(repeat: int) -> dict[str, list[float]]:
    """Each lab's checker in-process on its solved sandbox."""
    per_lab = {}
    with private_emulator() as (backend, _):
        for lab in load().labs:
            sandbox = new_sandbox(lab, backend)
            lab.solution_module().solve(Aws(sandbox, backend, as_learner=True, code_path=lab.solution_path))
            checker = Aws(sandbox, backend, code_path=lab.solution_path)
            per_lab[lab.id] = timed(lambda: grade(lab, checker, backend.name), repeat)
    return per_lab


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def watch_latency(repeat: int) -> list[float]:
    """From a save of the workspace file to the redrawn result of `inv lab.watch`."""
    from tests.engine.test_watch import SOLVED, Lines

    samples = []
    with tempfile.TemporaryDirectory(prefix="labs-bench-") as tmp:
        env = {**learner_env(Path(tmp), free_port()), "PYTHONUNBUFFERED": "1"}
        inv(env, "up")
        watch = subprocess.Popen([sys.executable, "-m", "invoke", "lab.watch", "s3-multipart-upload"], cwd=ROOT,
                                 env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
        lines = Lines(watch.stdout)
        try:
            lines.wait_for("steps")
            path = Path(tmp) / "ws" / "s3_multipart_upload.py"
            for number in range(repeat):
                time.sleep(0.3)  # let the spare sandbox refill, as between a learner's saves
                started = time.perf_counter()
                path.write_text(SOLVED + f"\n# save {number}\n")
                lines.wait_for("re-checked in")
                samples.append(time.perf_counter() - started)
        finally:
            watch.kill()
            inv(env, "down")
    return samples


def cpu_count() -> int:
    return len(os.sched_getaffinity(0))


def startable_backends() -> tuple[list[str], dict[str, str]]:
    """Backends that start here without a long install (moto first), and why each other one is left out."""
    names, left_out = [], {}
    for name, cls in BACKENDS.items():
        if cls.installed():
            names.append(name)
        else:
            left_out[name] = "not installed here (`inv up --backend " + name + "` installs it)"
    return names, left_out


def reference_round_trips(name: str, repeat: int = 3) -> dict[str, list[float]]:
    """On backend ``name``: seconds to solve and check, each time in a fresh sandbox, each lab it grades fully."""
    labs = [lab for lab in load().labs if support(lab, BACKENDS[name]).status == FULL]
    seconds: dict[str, list[float]] = {}
    with private_server.private_emulator(name) as (backend, _):
        for lab in labs:
            for _ in range(repeat):
                started = time.perf_counter()
                outcome = prove_reference_passes(lab, backend)
                if outcome.ok:  # a lab that fails on a backend is a finding for the tests, not a timing
                    seconds.setdefault(lab.id, []).append(time.perf_counter() - started)
    return seconds

