"""Private virtual environments for emulators that cannot share the project's.

ministack pins ``botocore==1.43.106`` while the project needs boto3 ≥ 1.44
(pip reports ResolutionImpossible), and LocalStack's open-source core runs on
Python 3.13 only.  Each gets a virtual environment of its own, made once by
the runner under ``$LABS_TOOLS_DIR`` (default ``.labrunner/tools`` in the
checkout, shared by every state folder so test sessions reuse it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

from ..errors import LabError
from ..paths import ROOT

INSTALL_TIMEOUT = 600


def tools_dir() -> Path:
    path = Path(os.environ.get("LABS_TOOLS_DIR") or ROOT / ".labrunner" / "tools")
    path.mkdir(parents=True, exist_ok=True)
    return path


def venv_python(name: str) -> Path:
    return tools_dir() / name / "bin" / "python"


def venv_ready(name: str) -> bool:
    """True when the venv exists and its install finished."""
    return venv_python(name).exists() and (tools_dir() / name / ".labrunner-installed").exists()


def ensure_venv(name: str, requirements: list[str], base_python: str = sys.executable) -> Path:
    """The venv's interpreter, creating the venv and installing ``requirements`` on first use.

    A file lock makes concurrent ``inv up`` / test sessions wait for one install instead of
    clearing each other's half-made venv.
    """
    with FileLock(str(tools_dir() / f"{name}.lock"), timeout=INSTALL_TIMEOUT * 2):
        python = venv_python(name)
        marker = python.parent.parent / ".labrunner-installed"
        if python.exists() and marker.exists() and marker.read_text() == "\n".join(requirements):
            return python
        print(f"Installing {', '.join(requirements)} into {python.parent.parent} (first use only)…",
              file=sys.stderr, flush=True)
        marker.unlink(missing_ok=True)
        steps = [[base_python, "-m", "venv", "--clear", str(python.parent.parent)],
                 [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements]]
        for command in steps:
            done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
            if done.returncode:
                tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
                raise LabError(f"Could not prepare the {name} environment ({' '.join(command[:3])}…): {tail[0]}")
        marker.write_text("\n".join(requirements))
        return python


def clean_env(extra: dict) -> dict:
    """The environment for an emulator process: no AWS_* settings of the user's, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(extra)
    return env
