"""Emulators started for one job (pytest, `inv verify`, benchmarks, probes) and gone after it.

Unlike the learner's `inv up` server, a private one must not outlive its
owner: it is started with the kernel's parent-death signal (Linux), so a
SIGKILLed test run or verification leaves no server behind, and it is stopped
by process group, with SIGKILL after a grace period, because some backends
(LocalStack's core) leave children behind or ignore SIGTERM for a long time.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from .backends import backend_class
from .backends.base import Backend, free_port
from .server import start_process, wait_healthy

PR_SET_PDEATHSIG = 1
GRACE_SECONDS = 10.0


@cache
def _prctl():
    """libc's prctl, loaded before any fork (loading a library in a forked child is not safe)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def die_with(parent_pid: int):
    """A ``preexec_fn``: the child gets SIGKILL when ``parent_pid``'s thread that started it ends."""
    prctl = _prctl()

    def arrange() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return arrange


def stop(process: subprocess.Popen, grace: float = GRACE_SECONDS) -> None:
    """SIGTERM to the server's process group; SIGKILL to the group if it is still there after ``grace``."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, grace)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # children that outlived the leader
        return


@contextlib.contextmanager
def suite_emulator(name: str, log_dir: Path) -> Iterator[Backend]:
    """The test suite's backend: LocalStack in pytest-localstack's container when Docker answers, else a
    private server on this machine."""
    from . import localstack_container

    if name == "localstack" and localstack_container.container_available():
        with localstack_container.container_endpoint() as endpoint:
            yield backend_class(name)(endpoint)
        return
    with private_emulator(name, log_dir) as (backend, _):
        yield backend


@contextlib.contextmanager
def private_emulator(name: str, log_dir: Path | None = None) -> Iterator[tuple[Backend, subprocess.Popen]]:
    """A ``name`` server on a free loopback port, healthy on entry, stopped (group and all) on exit."""
    with tempfile.TemporaryDirectory(prefix=f"labs-{name}-") as tmp:
        port, log = free_port(), Path(log_dir or tmp) / f"{name}.log"
        process = start_process(name, port, log, preexec_fn=die_with(os.getpid()))
        try:
            backend = backend_class(name)(f"http://127.0.0.1:{port}")
            wait_healthy(backend, process, log)
            yield backend, process
        finally:
            stop(process)
