"""``inv aws ID -- <args>``: the AWS CLI, pointed at one lab's sandbox and nothing else."""

from __future__ import annotations

import importlib.util
import shlex
import shutil
import subprocess
import sys

from ..errors import LabError
from ..render import say
from .common import attempt_for

NO_CLI = ("No AWS CLI here: `pip install awscli` (or install AWS CLI v2), then run "
          "`inv aws <lab> -- s3 ls` again.")


def cli_command() -> list[str]:
    """The CLI in this environment first (pip's awscli), else the one on PATH (AWS CLI v2)."""
    if importlib.util.find_spec("awscli") is not None:
        return [sys.executable, "-m", "awscli"]
    found = shutil.which("aws")
    if found:
        return [found]
    raise LabError(NO_CLI)


def arguments_after_dashes(argv: list[str], remainder: str) -> list[str]:
    """The words after `--` as the shell split them (invoke's remainder has lost their quoting)."""
    if "--" in argv:
        return argv[argv.index("--") + 1:]
    return shlex.split(remainder)


def run(lab_id: str, arguments: list[str]) -> int:
    if not arguments:
        raise LabError(f"Say what to run after `--`, for example `inv aws {lab_id} -- sts get-caller-identity`.")
    attempt = attempt_for(lab_id)
    sandbox = attempt.sandbox
    say(f"[dim]aws {shlex.join(arguments)}  (sandbox {sandbox.account_id} at {sandbox.endpoint})[/]")
    command = [*cli_command(), "--endpoint-url", sandbox.endpoint, *arguments]
    return subprocess.run(command, env=sandbox.learner_env()).returncode
