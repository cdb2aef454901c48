"""``inv doctor``: what this machine has for the labs, each finding in one sentence.

Every probe is read-only and quick (a second at most): versions, the emulator,
the port, the Redis server, Docker, a Python for LocalStack's core, and
whether real AWS credentials are around (never printed, never used).
"""

from __future__ import annotations

import glob
import importlib.metadata
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import paths, server
from .backends.base import port_is_free

OK, WARN, FAIL, INFO = "ok", "warn", "fail", "info"
PACKAGES = ("boto3", "botocore", "moto", "invoke", "rich", "awscli", "ministack")
CREDENTIAL_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


@dataclass(frozen=True)
class Finding:
    topic: str
    level: str
    sentence: str


def python_version() -> Finding:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info < (3, 11):
        return Finding("Python", FAIL, f"Python {version} is too old: the runner needs 3.11 or newer.")
    return Finding("Python", OK, f"Python {version} at {sys.executable}.")


def package_versions() -> Finding:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} absent")
    return Finding("packages", INFO, ", ".join(found) + ".")


def emulator() -> Finding:
    record = server.status()
    if record is None:
        return Finding("emulator", WARN, "No emulator is running: `inv up` starts one.")
    if not record["healthy"]:
        return Finding("emulator", FAIL, f"The {record['backend']} emulator recorded at {record['endpoint']} "
                                         "does not answer: `inv up` starts it again.")
    return Finding("emulator", OK, f"The {record['backend']} emulator answers at {record['endpoint']} "
                                   f"(pid {record['pid']}).")


def port() -> Finding:
    wanted = server.configured_port()
    record = server.status()
    if record and record["endpoint"].endswith(f":{wanted}"):
        return Finding("port", OK, f"Port {wanted} is the running emulator's.")
    if port_is_free(wanted):
        return Finding("port", OK, f"Port {wanted} on 127.0.0.1 is free for `inv up`.")
    return Finding("port", WARN, f"Port {wanted} is taken by another program: `inv up` will pick a free port "
                                 "(or set LABS_PORT).")


def redis() -> Finding:
    executable = shutil.which("redis-server")
    if executable:
        return Finding("cache server", OK, f"redis-server at {executable} serves the caching labs.")
    return Finding("cache server", OK, "No redis-server installed: the caching labs use fakeredis, which speaks "
                                       "the same protocol.")


def docker() -> Finding:
    client = shutil.which("docker")
    if not client:
        return Finding("Docker", INFO, "No Docker client: LocalStack's container is not an option here "
                                       "(moto needs no Docker).")
    try:
        answered = subprocess.run([client, "info", "--format", "{{.ServerVersion}}"], capture_output=True,
                                  text=True, timeout=5).returncode == 0
    except subprocess.TimeoutExpired:
        answered = False
    if not answered:
        return Finding("Docker", INFO, "The Docker client is installed but no Docker engine answers: LocalStack's "
                                       "container cannot start here (moto needs no Docker).")
    return Finding("Docker", OK, "A Docker engine answers: `docker compose up` can run LocalStack.")


def is_python_313(path: str) -> bool:
    try:
        answer = subprocess.run([path, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return answer.stdout.strip() == "True"


def python_313_candidates() -> list[str]:
    """Interpreters that really are 3.13 (a pyenv shim may exist without the version installed)."""
    pyenv = sorted(glob.glob(str(Path.home() / ".pyenv" / "versions" / "3.13*" / "bin" / "python3.13")))
    candidates = [path for path in [shutil.which("python3.13"), *pyenv] if path]
    return [path for path in dict.fromkeys(candidates) if is_python_313(path)]


def localstack_python() -> Finding:
    found = python_313_candidates()
    if found:
        return Finding("Python 3.13", OK, f"Python 3.13 at {found[0]} can run LocalStack's open-source core "
                                          "without Docker.")
    return Finding("Python 3.13", INFO, "No Python 3.13: LocalStack's open-source core needs it to run without "
                                        "Docker (`pyenv install 3.13`); moto needs nothing more.")


def aws_config_files() -> list[Path]:
    home = Path.home() / ".aws"
    return [path for path in (home / "credentials", home / "config") if path.exists()]


def real_credentials() -> Finding:
    present = [name for name in CREDENTIAL_VARS if os.environ.get(name)]
    files = aws_config_files()
    if not present and not files:
        return Finding("AWS credentials", OK, "No AWS credentials in your environment or ~/.aws.")
    where = ", ".join(present + [str(path) for path in files])
    return Finding("AWS credentials", WARN, f"Real-looking AWS settings are present ({where}); the runner never "
                                            "uses them: its clients and `inv lab.env` use sandbox keys on "
                                            "127.0.0.1 only.")


def writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
        return True
    except OSError:
        return False


def folders() -> Finding:
    state, workspace = paths.state_dir(), paths.workspace_dir()
    broken = [str(p) for p in (state, workspace) if not writable(p)]
    if broken:
        return Finding("folders", FAIL, f"Cannot write to {', '.join(broken)}: set LABS_STATE_DIR or "
                                        "LABS_WORKSPACE to a folder you own.")
    return Finding("folders", OK, f"Progress and sandboxes in {state}; your code in {workspace}.")


PROBES = (python_version, package_versions, emulator, port, redis, docker, localstack_python, real_credentials,
          folders)


def examine() -> list[Finding]:
    return [probe() for probe in PROBES]
