"""What every backend adapter offers the runner."""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

from ..errors import EmulatorDown, LabError

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass(frozen=True)
class Keys:
    access_key: str
    secret_key: str

    def to_dict(self) -> dict:
        return {"access_key": self.access_key, "secret_key": self.secret_key}


@dataclass(frozen=True)
class SandboxAccount:
    account_id: str
    learner: Keys
    checker: Keys


REMOTE_OPT_IN = "LABS_ALLOW_REMOTE_ENDPOINT"


def remote_opted_in() -> bool:
    """The user's explicit opt-in to an emulator on another machine (``LABS_ALLOW_REMOTE_ENDPOINT=1``)."""
    return os.environ.get(REMOTE_OPT_IN) == "1"


def is_local(endpoint: str) -> bool:
    return (urlparse(endpoint).hostname or "") in LOOPBACK_HOSTS


def ensure_local(endpoint: str, allow_remote: bool = False) -> str:
    """Refuse any endpoint that is not on this machine unless explicitly allowed."""
    if not is_local(endpoint) and not (allow_remote or remote_opted_in()):
        raise LabError(
            f"The endpoint {endpoint} is not on this machine; the runner only talks to a local "
            "emulator (set LABS_ALLOW_REMOTE_ENDPOINT=1 to opt in to a remote one)."
        )
    return endpoint


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def get_json(url: str, timeout: float = 2.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read() or b"null")


class Backend:
    """One emulator reachable at ``endpoint``.

    Subclasses say how to start it, how to tell it is healthy, how to mint a
    fresh sandbox account and whether it keeps a call journal.
    """

    name = "base"
    journal = False
    capabilities: frozenset[str] = frozenset()  # features, named in labrunner.capabilities.FEATURES
    services: frozenset[str] = frozenset()  # botocore service names it really serves (measured)
    notes = ""  # one sentence on how it is started or what it lacks, for `inv backends`

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")

    @classmethod
    def server_command(cls, port: int) -> tuple[list[str], dict]:
        raise NotImplementedError

    def info(self) -> dict | None:
        """Identity of the running server, or None when nothing answers."""
        raise NotImplementedError

    @classmethod
    def serves(cls, need: str) -> bool:
        """True when ``need`` (a service or a feature) is in the declared matrix."""
        return need in cls.services or need in cls.capabilities

    @classmethod
    def installed(cls) -> bool:
        """True when it can start here without installing anything."""
        return True

    @classmethod
    def owns(cls, info: dict, process) -> bool:
        """True when the server answering ``info`` is the ``process`` the runner started."""
        return info.get("pid") == process.pid

    def reset(self) -> None:
        """Wipe every account's state (tests; classrooms restart instead)."""
        raise NotImplementedError

    def require(self) -> dict:
        info = self.info()
        if info is None:
            raise EmulatorDown(self.endpoint)
        return info

    def mint_sandbox(self) -> SandboxAccount:
        raise NotImplementedError

    def fetch_journal(self, account_id: str, since: int = 0) -> list[dict]:
        return []

    @staticmethod
    def _get(url: str):
        try:
            return get_json(url)
        except (urllib.error.URLError, OSError, ValueError):
            return None
