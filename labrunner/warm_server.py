"""The warm launcher's server: one Python that has imported boto3 once and forks a child per run.

``labrunner.warm_python`` starts it as ``python -m labrunner.warm_server FOLDER``
(FOLDER private, mode 0700) and keeps the write end of its stdin.  The server
imports boto3 and creates a throwaway client or two (no call is made), binds
``FOLDER/socket``, prints ``ready`` and serves until its stdin ends (the
runner exited or died) or its parent changes.

One connection per run, from the same user only (``SO_PEERCRED``):

runner → server
    a 4-byte length and a JSON object ``{"argv": [...], "env": {...}}``
    (argv as for ``python``: a script path or ``-m module``, then arguments),
    with three descriptors passed alongside: the child's stdin, its output
    (stdout and stderr) and its working directory.
server → runner
    ``pid N`` once the child is in a session of its own and about to run the
    code, then ``exit CODE`` when it has ended (CODE as ``Popen.returncode``:
    negative for a signal); or ``failed`` when the child could not be set up,
    before any of the learner's code ran, so the runner may start it cold.

The server is single-threaded: a selector over the listening socket, its
stdin and a SIGCHLD wake-up socket, so a long run never holds up the next.
A forked child drops the server's descriptors and signal handling and
becomes the learner's program (``warm_child``); it never returns into the
server's loop.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import shutil
import signal
import socket
import struct
import sys

from . import warm_child

SOCKET_NAME = "socket"
HEADER = struct.Struct("!I")
PASSED_FDS = 3  # stdin, output, working directory
MAX_REQUEST = 1 << 20
REQUEST_SECONDS = 5.0
PARENT_CHECK_SECONDS = 1.0
WARM_ENDPOINT = "http://127.0.0.1:9"  # never contacted: creating a client makes no call


def pack_request(argv: list[str], env: dict) -> bytes:
    body = json.dumps({"argv": argv, "env": env}).encode()
    return HEADER.pack(len(body)) + body


def warm_up() -> None:
    """Import boto3 and what creating a client pulls in, reading no AWS setting of the runner's."""
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        del os.environ[name]  # the server's own environment: each child gets its own
    os.environ.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    try:
        import boto3

        session = boto3.session.Session(aws_access_key_id="warm", aws_secret_access_key="warm",
                                        region_name="us-east-1")
        for service in ("sts", "s3"):
            session.client(service, endpoint_url=WARM_ENDPOINT)
    except Exception:  # noqa: BLE001 (warming only saves time: a cold server still serves)
        pass


def same_user(connection: socket.socket) -> bool:
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", credentials)
    return uid == os.getuid()


def read_request(connection: socket.socket) -> tuple[dict, list[int]]:
    """The request and its descriptors; raises OSError or ValueError (descriptors closed) when malformed."""
    connection.settimeout(REQUEST_SECONDS)
    data, fds, _, _ = socket.recv_fds(connection, MAX_REQUEST, PASSED_FDS)
    try:
        if len(fds) != PASSED_FDS or len(data) < HEADER.size:
            raise ValueError("a request needs its header and three descriptors")
        size, body = HEADER.unpack_from(data)[0], data[HEADER.size:]
        while len(body) < size:
            chunk = connection.recv(size - len(body))
            if not chunk:
                raise ValueError("the request ended early")
            body += chunk
        request = json.loads(body)
        if not (isinstance(request, dict) and isinstance(request.get("argv"), list) and request["argv"]
                and isinstance(request.get("env"), dict)):
            raise ValueError("a request needs argv and env")
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return request, fds


def send(connection: socket.socket, line: str) -> None:
    try:
        connection.sendall(line.encode() + b"\n")
    except OSError:  # the runner gave up on this run
        pass


def _wake(*_) -> None:
    """SIGCHLD's handler: the byte on the wake-up socket is what matters."""


class Server:
    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(os.path.join(folder, SOCKET_NAME))
        self.listener.listen(64)
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, self.accept)
        self.selector.register(sys.stdin.fileno(), selectors.EVENT_READ, self.control)
        self.selector.register(self.wake_r, selectors.EVENT_READ, self.reap)
        self.running: dict[int, socket.socket] = {}
        self.parent = os.getppid()
        self.stopping = False
        signal.set_wakeup_fd(self.wake_w.fileno(), warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, _wake)

    def serve(self) -> None:
        while not self.stopping and os.getppid() == self.parent:
            for key, _ in self.selector.select(PARENT_CHECK_SECONDS):
                key.data()

    def control(self) -> None:
        if not os.read(sys.stdin.fileno(), 4096):  # the runner closed its end, or died
            self.stopping = True

    def accept(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        try:
            if not same_user(connection):
                raise PermissionError("another user's connection")
            request, fds = read_request(connection)
        except (OSError, ValueError):
            connection.close()
            return
        self.launch(connection, request, fds)

    def launch(self, connection: socket.socket, request: dict, fds: list[int]) -> None:
        started_r, started_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # out of processes or memory: the runner tries a cold start
            pid = -1
        if pid == 0:
            try:
                os.close(started_r)
                self.close(connection)
                warm_child.run(request, fds, started_w)
            finally:
                os._exit(1)  # never back into the server's loop
        os.close(started_w)
        for fd in fds:
            os.close(fd)
        started = os.read(started_r, 1) if pid > 0 else b""  # the child writes it before the learner's code
        os.close(started_r)
        if not started:
            if pid > 0:
                os.waitpid(pid, 0)
            send(connection, "failed")
            connection.close()
            return
        send(connection, f"pid {pid}")
        self.running[pid] = connection

    def reap(self) -> None:
        try:
            self.wake_r.recv(4096)
        except BlockingIOError:
            pass
        for pid in list(self.running):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                connection = self.running.pop(pid)
                send(connection, f"exit {os.waitstatus_to_exitcode(status)}")
                connection.close()

    def close(self, connection: socket.socket) -> None:
        """In a child: drop the server's signal handling and its copies of the server's descriptors."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        self.selector.close()
        for sock in (self.listener, self.wake_r, self.wake_w, connection, *self.running.values()):
            sock.close()

    def shut_down(self) -> None:
        self.listener.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def main(folder: str) -> None:
    warm_up()
    gc.freeze()  # children's collections skip the server's objects, so their pages stay shared
    server = Server(folder)
    try:
        print("ready", flush=True)  # fails if the runner is already gone
        server.serve()
    finally:  # only the server gets here: a child never returns from launch()
        server.shut_down()


if __name__ == "__main__":
    main(sys.argv[1])
