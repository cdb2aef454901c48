"""Start learner code in a warm interpreter: a fork of a Python that has already imported boto3.

Why: each run of learner code is a fresh interpreter (a timeout, bounded
output, a group to kill), and a fresh interpreter spends about 0.25 s
importing boto3 and more creating its first client before any of the
learner's code runs.  Code labs run learner code several times per check.

How: the first run starts one server per runner process
(``labrunner.warm_server``) that imports all that once; each run then asks it
over a Unix socket (one connection per run, in a private folder) to fork a
child that becomes ``python ARGV...`` (``labrunner.warm_child``).
``spawn`` returns a ``WarmProcess``, which ``harness._run`` uses as it uses a
``subprocess.Popen``: same pid and process group to kill, same output pipe,
``wait`` with a timeout.  The server starts in the background (the runs
before it is ready start cold), stops when the runner exits (its stdin ends)
and is started again, a few times at most, if it dies.

``spawn`` returns None, and the run starts cold, when warm start is switched
off (``LABS_WARM_PYTHON=0``), the platform lacks fork or descriptor passing,
the command is not ``[sys.executable, script or -m module, ...]`` (a script
by absolute path), the run's environment sets interpreter start-up variables
(``PYTHON*``, locale, ``TZ``, ``HOME``) other than the server's, or the server
cannot be started or reached.
"""

from __future__ import annotations

import atexit
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .warm_server import SOCKET_NAME, pack_request

SWITCH = "LABS_WARM_PYTHON"
SUPPORTED = all(hasattr(module, name) for module, name in [
    (os, "fork"), (os, "fchdir"), (os, "waitstatus_to_exitcode"), (socket, "AF_UNIX"), (socket, "send_fds"),
    (socket, "SO_PEERCRED")])
# Read by the interpreter as it starts (HOME: the user site folder): a warm child has the server's.
STARTUP_VARIABLES = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "HOME")
PACKAGE_PARENT = Path(__file__).resolve().parent.parent
START_SECONDS = 30.0  # importing boto3 on a busy machine
HANDSHAKE_SECONDS = 30.0
REPORT_SECONDS = 10.0  # once the group is killed, how long the server may take to report the exit
STOP_SECONDS = 5.0
MAX_STARTS = 3


def spawn(command: list[str], env: dict, stdin) -> WarmProcess | None:
    """``command`` started warm with ``stdin`` (a file, or None for /dev/null); None when it must start cold."""
    argv = warm_argv(command)
    if argv is None or not SUPPORTED or os.environ.get(SWITCH) == "0" or not absolute_pythonpath(env):
        return None
    server = _launcher.server()
    if server is None or startup_variables(env) != server.startup:
        return None
    return server.start(argv, env, stdin)


def warm_argv(command: list[str]) -> list[str] | None:
    if len(command) < 2 or command[0] != sys.executable:
        return None
    if command[1] == "-m":
        return command[1:] if len(command) >= 3 else None
    return command[1:] if os.path.isabs(command[1]) else None


def startup_variables(env) -> dict:
    return {k: v for k, v in env.items() if k.startswith("PYTHON") or k in STARTUP_VARIABLES}


def absolute_pythonpath(env: dict) -> bool:
    """No relative PYTHONPATH entry: it would be relative to where the server started, not to the run."""
    return "PYTHONPATH" not in env or all(os.path.isabs(entry) for entry in env["PYTHONPATH"].split(os.pathsep))


class _Lines:
    """Lines from the server on one run's connection, each read with a timeout."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.buffer = b""

    def read(self, timeout: float) -> str | None:
        """The next line; None when the server closed the connection; TimeoutError when none came in time."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            self.connection.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                chunk = self.connection.recv(256)
            except TimeoutError:
                raise
            except OSError:  # reset: the server died
                return None
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode()


class WarmProcess:
    """What ``harness._run`` uses of a ``subprocess.Popen``: pid, stdout, wait() and returncode."""

    def __init__(self, argv: list[str], lines: _Lines, pid: int, stdout) -> None:
        self.args, self.pid, self.stdout = [sys.executable, *argv], pid, stdout
        self.returncode: int | None = None
        self._lines = lines

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            try:
                line = self._lines.read(REPORT_SECONDS if timeout is None else timeout)
            except TimeoutError:
                if timeout is not None:
                    raise subprocess.TimeoutExpired(self.args, timeout) from None
                line = None
            self.returncode = int(line[len("exit "):]) if line and line.startswith("exit ") else self._lost()
            self._lines.connection.close()
        return self.returncode

    def _lost(self) -> int:
        """The server died (or hung) under this run: nobody can report its exit, so it is stopped."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        return -signal.SIGKILL


class _Server:
    """The runner's handle on one warm server process."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="labs-warm-")  # mode 0700: only this user reaches the socket
        self.startup = startup_variables(os.environ)
        try:
            self.process = subprocess.Popen([sys.executable, "-m", "labrunner.warm_server", self.folder],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL, cwd=PACKAGE_PARENT, start_new_session=True)
        except OSError:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            ready = selector.select(START_SECONDS)
        if not ready or self.process.stdout.readline() != b"ready\n":
            self.stop()
            raise OSError("the warm server did not start")
        self.process.stdout.close()

    def alive(self) -> bool:
        return self.process.poll() is None

    def start(self, argv: list[str], env: dict, stdin) -> WarmProcess | None:
        output, child_output = os.pipe()
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            answer, lines = self._handshake(connection, pack_request(argv, env), stdin, child_output)
        except (OSError, TypeError, ValueError):  # unreachable server, or an environment JSON cannot carry
            answer = None
        finally:
            os.close(child_output)
        if not (answer and answer.startswith("pid ")):
            connection.close()
            os.close(output)
            return None
        return WarmProcess(argv, lines, int(answer[len("pid "):]), open(output, "rb", buffering=0))

    def _handshake(self, connection: socket.socket, request: bytes, stdin, child_output: int):
        connection.settimeout(HANDSHAKE_SECONDS)
        connection.connect(os.path.join(self.folder, SOCKET_NAME))
        opened = []  # closed once sent: the child has its own copies
        try:
            if stdin is None:
                opened.append(os.open(os.devnull, os.O_RDONLY))
            opened.append(os.open(".", os.O_RDONLY | os.O_DIRECTORY))  # the working directory
            fds = [stdin.fileno() if stdin is not None else opened[0], child_output, opened[-1]]
            sent = socket.send_fds(connection, [request], fds)
            connection.sendall(request[sent:])
        finally:
            for fd in opened:
                os.close(fd)
        lines = _Lines(connection)
        return lines.read(HANDSHAKE_SECONDS), lines

    def stop(self) -> None:
        self.process.stdin.close()  # the server sees its stdin end and exits
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


class _Launcher:
    """The runner process's one warm server: started in the background on first use (runs start cold until it
    is ready, so no run waits for it), started again if it dies (a few times at most), stopped at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner = os.getpid()
        self._server: _Server | None = None
        self._starting = self._stopped = False
        self._starts = 0

    def server(self) -> _Server | None:
        with self._lock:
            if os.getpid() != self._owner or self._stopped:  # a fork of the runner: the server is its parent's
                return None
            if self._server is not None and not self._server.alive():
                self._server.stop()
                self._server = None
            if self._server is None and not self._starting and self._starts < MAX_STARTS:
                self._begin_start()
            return self._server

    def _begin_start(self) -> None:
        if not self._starts:
            atexit.register(self.stop)
        self._starts += 1
        self._starting = True
        threading.Thread(target=self._start, name="warm-python-start", daemon=True).start()

    def _start(self) -> None:
        try:
            server = _Server()
        except Exception:  # noqa: BLE001 (without a server, runs keep starting cold)
            server = None
        with self._lock:
            self._starting = False
            if not self._stopped:
                self._server, server = server, None
        if server is not None:  # stopped while it started
            server.stop()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            server, self._server = self._server, None
        if server is not None and os.getpid() == self._owner:
            server.stop()


_launcher = _Launcher()
