"""A Redis-protocol server for the cache labs, living and dying with the emulator.

The cache labs (lazy loading, write-through) need a real cache to talk to. The
moto launcher starts one through the extension ``backends/moto_ext/cache.py``:
a real ``redis-server`` when it is installed, otherwise fakeredis's
``TcpFakeServer`` on a thread. Either way it listens on a free 127.0.0.1 port,
keeps nothing on disk, and stops with the launcher process. The emulator
answers ``GET /_labrunner/cache`` with ``{"url": "redis://127.0.0.1:PORT/0",
"kind": ...}``.

Learner code finds the server through ``LABS_REDIS_URL``. Sandboxes share the
one server, so every key a lab uses starts with the sandbox's account id.
``LABS_CACHE_SERVER=fakeredis`` (or ``redis-server``) forces one kind.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from urllib.error import URLError

from .backends.base import free_port, get_json

ENV_VAR = "LABS_REDIS_URL"
CHOICE_VAR = "LABS_CACHE_SERVER"
ROUTE = "/_labrunner/cache"
START_TIMEOUT = 10.0


@dataclass
class CacheServer:
    """A running Redis-protocol server and how to stop it."""

    kind: str
    port: int
    _stop: object = field(repr=False, default=None)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def describe(self) -> dict:
        return {"url": self.url, "kind": self.kind}

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None


def start(choice: str | None = None) -> CacheServer:
    """Start the best server available (or the one ``choice`` / LABS_CACHE_SERVER names)."""
    choice = choice or os.environ.get(CHOICE_VAR) or ("redis-server" if shutil.which("redis-server") else "fakeredis")
    if choice == "redis-server":
        return start_redis_server()
    if choice == "fakeredis":
        return start_fakeredis()
    raise ValueError(f"{CHOICE_VAR} must be redis-server or fakeredis, not {choice!r}")


def start_redis_server() -> CacheServer:
    """A real redis-server: loopback only, no RDB snapshots, no append-only file."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise RuntimeError("redis-server is not installed")
    port = free_port()
    command = [executable, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
               "--protected-mode", "yes", "--daemonize", "no", "--dir", os.environ.get("TMPDIR", "/tmp")]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()

    server = CacheServer("redis-server", port, stop)
    _wait_for_ping(port, process)
    return server


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM it when the launcher dies (even by SIGKILL)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: the launcher's process group (inv down) still stops it


def start_fakeredis() -> CacheServer:
    """fakeredis's TCP server on a daemon thread of this process."""
    from fakeredis import TcpFakeServer

    tcp = TcpFakeServer(("127.0.0.1", 0), server_type="redis")
    tcp.daemon_threads = True  # a connected client must not keep the launcher alive
    thread = threading.Thread(target=tcp.serve_forever, name="labrunner-fakeredis", daemon=True)
    thread.start()

    def stop() -> None:
        tcp.shutdown()
        tcp.server_close()

    server = CacheServer("fakeredis", tcp.server_address[1], stop)
    _wait_for_ping(server.port)
    return server


def _wait_for_ping(port: int, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"redis-server exited with code {process.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"*1\r\n$4\r\nPING\r\n")  # RESP: fakeredis does not take inline commands
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the cache server on port {port} did not answer PING within {START_TIMEOUT:.0f} s")


# ---- for checkers -------------------------------------------------------

def url_for(endpoint: str) -> str | None:
    """The cache server's URL that the emulator at ``endpoint`` announces, or None."""
    try:
        answer = get_json(f"{endpoint}{ROUTE}")
    except (URLError, OSError, ValueError):
        return None
    return answer.get("url") if isinstance(answer, dict) else None


def learner_env(aws, url: str) -> dict:
    """The learner's environment plus the cache URL (until the sandbox exports it itself)."""
    return {**aws.learner_env(), ENV_VAR: url}


def key_prefix(account_id: str) -> str:
    """Every cache key of a sandbox starts with this: sandboxes share one server."""
    return f"{account_id}:"


def client(url: str):
    """A redis-py client on the cache server, answering str."""
    import redis

    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)


def call_learner(aws, url: str, function: str, *args, timeout: float = 30.0):
    """``aws.call_code`` with the cache URL in the learner's environment."""
    from .harness import call_function

    if aws.code_path is None:
        raise RuntimeError("this lab has no code file to call")
    return call_function(aws.code_path, function, list(args), learner_env(aws, url), timeout)
