"""LocalStack (optional): a running endpoint, Docker compose, or the open-source core on the host.

Since 2026-03-23 every image after ``localstack/localstack:4.14`` needs
``LOCALSTACK_AUTH_TOKEN``; ``docker-compose.yml`` pins 4.14 and passes the
token through when set.  Without Docker, the archived ``localstack-core``
runs on the host, but only on Python 3.13 (it has 3.13-only syntax), in a
virtual environment of its own with the pins below.  A 12-digit access key
id is the account id, as on ministack.  No call journal, no state reset on
the free core.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time

from .. import paths
from ..compose import compose_command
from ..errors import LabError
from .base import Backend, SandboxAccount
from .declared import LOCALSTACK_CORE_FEATURES, LOCALSTACK_CORE_SERVICES
from .ministack import MinistackBackend
from .tools import clean_env, ensure_venv, venv_ready

REQUIREMENTS = ["localstack-core[runtime]==2026.3.0", "cbor2<6", "pyopenssl<26", "cryptography<47",
                "service-identity<26"]
COMPOSE_PORT = 4566
PYTHON_313_GLOBS = ("/root/.pyenv/versions/3.13*/bin/python3.13",
                    os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13"))
MISSING = ("LocalStack needs either a running Docker daemon (then `docker compose up -d` uses the pinned "
           "tokenless image) or a Python 3.13 interpreter for its open-source core (set LABS_PYTHON313 or "
           "install one with `pyenv install 3.13`), or an already running endpoint with `--endpoint URL`.")


def is_python313(path: str) -> bool:
    """True when ``path`` really runs Python 3.13 (a pyenv shim may point nowhere)."""
    try:
        done = subprocess.run([path, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"],
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.stdout.strip() == "True"


def python313() -> str | None:
    """A Python 3.13 interpreter: $LABS_PYTHON313, one under pyenv, or python3.13 on PATH."""
    if os.environ.get("LABS_PYTHON313"):
        candidates = [os.environ["LABS_PYTHON313"]]
    else:
        candidates = [c for pattern in PYTHON_313_GLOBS for c in sorted(glob.glob(pattern))]
        candidates.append(shutil.which("python3.13"))
    return next((c for c in candidates if c and os.access(c, os.X_OK) and is_python313(c)), None)


def docker_daemon() -> bool:
    """True when a Docker client is installed and its daemon answers."""
    if os.environ.get("LABS_NO_DOCKER") == "1" or not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class LocalstackBackend(Backend):
    name = "localstack"
    journal = False
    capabilities = LOCALSTACK_CORE_FEATURES
    services = LOCALSTACK_CORE_SERVICES
    notes = ("Optional: an endpoint given with --endpoint, `docker compose up` of the pinned 4.14 image, or the "
             "open-source core on the host (Python 3.13). The matrix is the host core's, measured offline.")

    @classmethod
    def server_command(cls, port: int) -> tuple[list[str], dict]:
        """The host-run open-source core (the path without Docker)."""
        base = python313()
        if base is None:
            raise LabError(MISSING)
        python = ensure_venv("localstack-core", REQUIREMENTS, base_python=base)
        root = paths.state_dir() / "localstack" / f"fs-{port}"
        root.mkdir(parents=True, exist_ok=True)
        # The default twisted gateway ignores the host of GATEWAY_LISTEN and binds 0.0.0.0 (measured
        # on 2026.3.0); hypercorn honours it.
        env = clean_env({"GATEWAY_SERVER": "hypercorn", "GATEWAY_LISTEN": f"127.0.0.1:{port}",
                         "LOCALSTACK_HOST": f"127.0.0.1:{port}",
                         "FILESYSTEM_ROOT": str(root), "OVERRIDE_IN_DOCKER": "0", "SQS_ENDPOINT_STRATEGY": "path",
                         "SKIP_INFRA_DOWNLOADS": "1", "DISABLE_EVENTS": "1", "PYTHONUNBUFFERED": "1"})
        env.pop("PYTHONPATH", None)
        return [str(python), "-m", "localstack.runtime.main"], env

    @classmethod
    def installed(cls) -> bool:
        return venv_ready("localstack-core")

    @classmethod
    def owns(cls, info: dict, process) -> bool:
        """LocalStack has no pid to compare: a fresh free port and a live process must do."""
        return process.poll() is None

    def info(self) -> dict | None:
        health = self._get(f"{self.endpoint}/_localstack/health")
        if not isinstance(health, dict) or "services" not in health:
            return None
        about = self._get(f"{self.endpoint}/_localstack/info") or {}
        return {"backend": "localstack", "version": health.get("version"), "edition": health.get("edition"),
                "boot_id": about.get("session_id") or f"localstack@{self.endpoint}",
                "services": health.get("services", {})}

    def mint_sandbox(self) -> SandboxAccount:
        return MinistackBackend.mint_sandbox(self)

    def reset(self) -> None:
        raise LabError("The free LocalStack core cannot reset its state; restart it with `inv down` and `inv up`.")

    @classmethod
    def external_endpoint(cls) -> str | None:
        """With a Docker daemon: the compose service's endpoint; without: None (run the core here)."""
        return cls.compose_up() if docker_daemon() else None

    @staticmethod
    def compose_up(timeout: float = 120.0) -> str:
        """`docker compose up -d` in the checkout; the endpoint once its health check answers."""
        done = subprocess.run([*compose_command(), "up", "-d", "localstack"], cwd=paths.ROOT,
                              capture_output=True, text=True, timeout=600)
        if done.returncode:
            raise LabError(f"`docker compose up -d` failed: {(done.stderr or done.stdout).strip().splitlines()[-1]}")
        endpoint = f"http://127.0.0.1:{os.environ.get('LOCALSTACK_PORT', COMPOSE_PORT)}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if LocalstackBackend(endpoint).info():
                return endpoint
            time.sleep(0.5)
        raise LabError(f"LocalStack did not answer at {endpoint} within {timeout:.0f} s (`docker compose logs`).")
