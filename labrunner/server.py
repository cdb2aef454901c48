"""Start, find and stop the background emulator; remember where it runs.

``server.json`` in the state folder records backend, endpoint, pid and the
server's boot id.  ``LABS_ENDPOINT`` (with ``LABS_BACKEND``) points every
command at an emulator started some other way, as the test suite does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass

from filelock import FileLock

from . import paths
from .backends import backend_class
from .backends.base import (REMOTE_OPT_IN, Backend, ensure_local, free_port, is_local, port_is_free,
                            remote_opted_in)
from .errors import EmulatorDown, LabError
from .store import JsonStore

DEFAULT_PORT = 4610
START_TIMEOUT = 30.0


def _store() -> JsonStore:
    return JsonStore(paths.state_dir() / "server.json")


@dataclass
class UpResult:
    backend: Backend
    info: dict
    already_running: bool
    moved_from_port: int | None
    log_path: str


def allow_remote() -> bool:
    return remote_opted_in()


def warn_if_remote(endpoint: str) -> None:
    """An opted-in remote emulator is named in red on every command, so it is never a surprise."""
    if not is_local(endpoint):
        from .render import say

        say(f"[bold red]Remote emulator: {endpoint} is not on this machine ({REMOTE_OPT_IN}=1 is set); "
            "every call of this command goes there.[/]")


def current_backend() -> Backend:
    """The backend every command talks to; raises EmulatorDown when there is none."""
    endpoint = os.environ.get("LABS_ENDPOINT")
    name = os.environ.get("LABS_BACKEND", "moto")
    if not endpoint:
        record = _store().read()
        if not record:
            raise EmulatorDown()
        endpoint, name = record["endpoint"], record["backend"]
    backend = backend_class(name)(ensure_local(endpoint, allow_remote()))
    warn_if_remote(endpoint)
    backend.require()
    return backend


def start_process(backend_name: str, port: int, log_path, preexec_fn=None) -> subprocess.Popen:
    """The backend's server in its own session, logging to ``log_path`` (see private_server for ``preexec_fn``)."""
    command, env = backend_class(backend_name).server_command(port)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(paths.ROOT), env.get("PYTHONPATH")]))
    log = open(log_path, "ab")
    return subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True, cwd=paths.state_dir(), env=env, preexec_fn=preexec_fn,
    )


def wait_healthy(backend: Backend, process: subprocess.Popen, log_path) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        info = backend.info()
        if info and backend.owns(info, process):
            return info
        if process.poll() is not None:
            raise LabError(f"The {backend.name} server exited while starting; its log is {log_path}.")
        time.sleep(0.05)
    process.kill()
    raise LabError(f"The {backend.name} server did not answer within {START_TIMEOUT:.0f} s; its log is {log_path}.")


def configured_port() -> int:
    return int(os.environ.get("LABS_PORT", DEFAULT_PORT))


def already_up() -> UpResult | None:
    record = _store().read()
    if record:
        running = backend_class(record["backend"])(record["endpoint"])
        info = running.info()
        if info and info.get("boot_id") == record.get("boot_id"):
            return UpResult(running, info, True, None, record["log"])
    return None


def remember(backend: Backend, info: dict, pid: int | None, log: str, **extra) -> None:
    with _store().update() as data:
        data.clear()
        data.update(backend=backend.name, endpoint=backend.endpoint, pid=pid, boot_id=info.get("boot_id"),
                    log=log, started_at=time.time(), **extra)


def attach(backend_name: str, endpoint: str, **extra) -> UpResult:
    """Use an emulator started some other way (``--endpoint``, or Docker compose)."""
    backend = backend_class(backend_name)(ensure_local(endpoint, allow_remote()))
    info = backend.info()
    if info is None:
        raise LabError(f"Nothing that looks like {backend_name} answers at {endpoint}.")
    remember(backend, info, None, "", **extra)
    return UpResult(backend, info, False, None, "")


def up(backend_name: str = "moto", port: int | None = None, endpoint: str | None = None) -> UpResult:
    """Start (or find, or attach) the emulator; two `inv up` at once start one server, not two."""
    with FileLock(str(paths.state_dir() / "server-start.lock"), timeout=START_TIMEOUT * 2):
        return _up(backend_name, port, endpoint)


def _up(backend_name: str, port: int | None, endpoint: str | None) -> UpResult:
    backend_cls = backend_class(backend_name)
    running = already_up()
    if running:
        return running
    if endpoint:
        return attach(backend_name, endpoint)
    external = getattr(backend_cls, "external_endpoint", None)
    if external is not None and (found := external()) is not None:
        return attach(backend_name, found, compose=True)
    wanted = port or configured_port()
    chosen = wanted if port_is_free(wanted) else free_port()
    log_path = paths.logs_dir() / f"{backend_name}.log"
    process = start_process(backend_name, chosen, log_path)
    backend = backend_cls(f"http://127.0.0.1:{chosen}")
    info = wait_healthy(backend, process, log_path)
    remember(backend, info, process.pid, str(log_path))
    return UpResult(backend, info, False, wanted if chosen != wanted else None, str(log_path))


def status() -> dict | None:
    record = _store().read()
    if not record:
        return None
    info = backend_class(record["backend"])(record["endpoint"]).info()
    return {**record, "healthy": bool(info and info.get("boot_id") == record.get("boot_id"))}


def down() -> dict | None:
    """Stop the recorded server; returns its record, or None if nothing ran."""
    with _store().update() as record:
        if not record:
            return None
        stopped = dict(record)
        info = backend_class(record["backend"])(record["endpoint"]).info()
        if record.get("compose"):
            _compose_stop()
        elif info and record.get("pid") and (info.get("pid") in (None, record["pid"])):
            _terminate(record["pid"])
        record.clear()
    return stopped


def _compose_stop() -> None:
    """`docker compose stop` in the checkout (LabError, one sentence, when Compose is missing)."""
    from .compose import compose_command  # only compose-started emulators need it

    subprocess.run([*compose_command(), "stop"], cwd=paths.ROOT, capture_output=True, timeout=120)


def _terminate(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(pid, signal.SIGKILL)
