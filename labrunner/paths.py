"""Where the catalogue, the learner's workspace and the local state live.

``LABS_STATE_DIR`` and ``LABS_WORKSPACE`` move the state and the workspace
(the test suite points them at temporary folders).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def state_dir() -> Path:
    path = Path(os.environ.get("LABS_STATE_DIR") or ROOT / ".labrunner")
    path.mkdir(parents=True, exist_ok=True)
    return path


def workspace_dir() -> Path:
    path = Path(os.environ.get("LABS_WORKSPACE") or ROOT / "workspace")
    path.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir() -> Path:
    path = state_dir() / "logs"
    path.mkdir(exist_ok=True)
    return path
