"""Suite-wide: the network guard, and the reliability figures printed at the end.

**Network guard.** For the whole session, every socket connection from this
process to an address that is not loopback fails, and so does every name
lookup of a host that is not ``localhost``: ``socket.socket.connect``,
``connect_ex`` and ``sendto`` (which ``socket.create_connection``, urllib3,
botocore, redis and asyncio all go through) and ``socket.getaddrinfo`` raise
``NonLoopbackConnection``.  Code under test may swallow that exception (the
grading layer turns surprises into ERROR steps, botocore retries), so each
attempt is also recorded and the test is failed after its call, naming the
destination.  127.0.0.0/8, ::1, ``localhost`` and AF_UNIX sockets are allowed.

The guard lives in this process only: subprocesses (the emulator, ``inv``,
learner scripts, the AWS CLI) are not patched.  Tests that drive those prove
the same property through the emulator's call journal and their output (see
tests/engine/test_never_real_aws.py).

**Figures.** Tests add lines with the ``reliability_figures`` fixture
(``reliability_figures.add("checker runs", "195 runs, 0 tracebacks")``);
they are printed in a "reliability figures" section when the session ends,
with the guard's own count.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class NonLoopbackConnection(RuntimeError):
    """The test tried to reach a machine other than this one."""


def is_loopback_host(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%", 1)[0].lower()
    if host in LOOPBACK_NAMES or host == "":  # "" is this machine too
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name other than localhost: never even looked up
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def is_ip(host) -> bool:
    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host).strip("[]"))
    except ValueError:
        return False
    return True


def is_local_destination(family, address) -> bool:
    if family == getattr(socket, "AF_UNIX", object()) or isinstance(address, (str, bytes)):
        return True  # a Unix socket path
    return is_loopback_host(address[0])


class NetworkGuard:
    def __init__(self) -> None:
        self.allowed = 0
        self.blocked: list[str] = []
        self._originals: dict = {}

    def refuse(self, what: str):
        self.blocked.append(what)
        raise NonLoopbackConnection(f"The test suite never leaves this machine: {what} was blocked.")

    def install(self) -> None:
        guard = self
        real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
        real_sendto, real_getaddrinfo = socket.socket.sendto, socket.getaddrinfo
        self._originals = {"connect": real_connect, "connect_ex": real_connect_ex, "sendto": real_sendto,
                           "getaddrinfo": real_getaddrinfo}

        def connect(sock, address):
            if not is_local_destination(sock.family, address):
                guard.refuse(f"a connection to {address!r}")
            guard.allowed += 1
            return real_connect(sock, address)

        def connect_ex(sock, address):
            if not is_local_destination(sock.family, address):
                guard.refuse(f"a connection to {address!r}")
            guard.allowed += 1
            return real_connect_ex(sock, address)

        def sendto(sock, data, *args):
            address = args[-1] if args else None
            if address is not None and not is_local_destination(sock.family, address):
                guard.refuse(f"a datagram to {address!r}")
            return real_sendto(sock, data, *args)

        def getaddrinfo(host, *args, **kwargs):
            if host is not None and not is_loopback_host(host):
                guard.refuse(f"a connection to {host!r}" if is_ip(host) else f"a name lookup of {host!r}")
            return real_getaddrinfo(host, *args, **kwargs)

        socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
        socket.getaddrinfo = getaddrinfo

    def uninstall(self) -> None:
        if self._originals:
            socket.socket.connect = self._originals["connect"]
            socket.socket.connect_ex = self._originals["connect_ex"]
            socket.socket.sendto = self._originals["sendto"]
            socket.getaddrinfo = self._originals["getaddrinfo"]


GUARD = NetworkGuard()
GUARD.install()


class Figures:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def add(self, topic: str, figure: str) -> None:
        self.lines.append((topic, figure))


FIGURES = Figures()


@pytest.fixture(scope="session")
def reliability_figures() -> Figures:
    return FIGURES


@pytest.fixture(scope="session")
def network_guard() -> NetworkGuard:
    return GUARD


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    before = len(GUARD.blocked)
    try:
        return (yield)
    finally:
        attempts = GUARD.blocked[before:]
        if attempts:
            pytest.fail(f"{len(attempts)} attempt(s) to leave this machine: {'; '.join(attempts)}.", pytrace=False)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.section("reliability figures")
    for topic, figure in FIGURES.lines:
        terminalreporter.write_line(f"{topic}: {figure}")
    terminalreporter.write_line(f"network guard (this process): {GUARD.allowed} loopback connections allowed, "
                                f"{len(GUARD.blocked)} non-loopback connections or lookups blocked")


def pytest_unconfigure(config):
    GUARD.uninstall()
