"""ministack (optional): runs Python Lambda handlers and deployed API routes for real.

Started through the runner's launcher (``ministack_server``) with
``BIND_HOST=127.0.0.1`` (ministack binds every interface otherwise), its IoT
MQTT listener and SFTP off (they bind 0.0.0.0 whatever BIND_HOST says) and its
own TMPDIR under the state folder.  A sandbox is an account: on ministack a
12-digit access key id *is* the account id.  No call journal.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import sys
import urllib.request
from pathlib import Path

from .. import paths
from ..errors import EmulatorDown
from .base import Backend, Keys, SandboxAccount
from .declared import MINISTACK_FEATURES, MINISTACK_SERVICES
from .tools import clean_env, ensure_venv, venv_ready

REQUIREMENT = "ministack>=1.5.33,<2"
# ministack runs Lambda handlers in its own interpreter, and handlers import boto3; pip picks the boto3
# release that matches ministack's botocore pin (1.43.x for ministack 1.5.33).
HANDLER_SDK = "boto3>=1.43,<2"
LAUNCHER = Path(__file__).with_name("ministack_server.py")


def random_account_id() -> str:
    """12 digits, never ministack's default 000000000000."""
    return str(100_000_000_000 + secrets.randbelow(899_999_999_999))


def ministack_python(install: bool = True) -> str | None:
    """An interpreter that can import ministack: $LABS_MINISTACK_PYTHON, this one, or a private venv."""
    if os.environ.get("LABS_MINISTACK_PYTHON"):
        return os.environ["LABS_MINISTACK_PYTHON"]
    if importlib.util.find_spec("ministack") is not None:
        return sys.executable
    if venv_ready("ministack") or install:
        return str(ensure_venv("ministack", [REQUIREMENT, HANDLER_SDK]))
    return None


class MinistackBackend(Backend):
    name = "ministack"
    journal = False
    capabilities = MINISTACK_FEATURES
    services = MINISTACK_SERVICES
    notes = ("Optional, no Docker: runs Python Lambda handlers and deployed API routes; no call journal. "
             "Installed by the runner into its own environment on first use.")

    @classmethod
    def server_command(cls, port: int) -> tuple[list[str], dict]:
        tmp = paths.state_dir() / "ministack" / f"tmp-{port}"
        tmp.mkdir(parents=True, exist_ok=True)
        env = clean_env({"GATEWAY_PORT": str(port), "BIND_HOST": "127.0.0.1", "TMPDIR": str(tmp),
                         "IOT_MTLS_ENABLED": "0", "SFTP_ENABLED": "0", "PYTHONUNBUFFERED": "1"})
        for name in ("EDGE_PORT", "USE_SSL", "LOCALSTACK_PERSISTENCE", "AUTH", "MINISTACK_ACCOUNT_ID"):
            env.pop(name, None)
        # Run as a file, not as `-m labrunner...`: the package imports boto3, which ministack's own
        # environment lacks; -P keeps this folder (with its ministack.py) off sys.path.
        return [ministack_python(), "-P", str(LAUNCHER)], env

    @classmethod
    def installed(cls) -> bool:
        return ministack_python(install=False) is not None

    def info(self) -> dict | None:
        info = self._get(f"{self.endpoint}/_labrunner/info")
        return info if isinstance(info, dict) and info.get("backend") == "ministack" else None

    def mint_sandbox(self) -> SandboxAccount:
        """Both principals use the account id as key id (that is what selects the account)."""
        account_id = random_account_id()
        return SandboxAccount(account_id, learner=Keys(account_id, "learner-" + secrets.token_hex(8)),
                              checker=Keys(account_id, "checker-" + secrets.token_hex(8)))

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/_ministack/reset", data=b"", method="POST")
        try:
            urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 (loopback only)
        except OSError:
            raise EmulatorDown(self.endpoint) from None
