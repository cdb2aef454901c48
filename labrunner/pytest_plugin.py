"""pytest plugin: an emulator for the session, a fresh sandbox per test.

Registered through the ``pytest11`` entry point.  ``--backend`` picks the
emulator (moto by default); the session starts its own server on a free
loopback port, with its own state folder, so no ``inv up`` is needed.
"""

from __future__ import annotations

import os

import pytest

from .catalog import load
from .sandbox import Aws
from .sandboxes import new_sandbox


def pytest_addoption(parser):
    group = parser.getgroup("labrunner", "AWS lab runner")
    group.addoption("--backend", action="store", default=os.environ.get("LABS_BACKEND", "moto"),
                    help="Emulator the lab tests run against (moto, the default, starts embedded).")


def pytest_report_header(config):
    return f"labrunner backend: {config.getoption('--backend')}"


@pytest.fixture(scope="session")
def labs_state_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("labs-state")
    previous = os.environ.get("LABS_STATE_DIR")
    os.environ["LABS_STATE_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("LABS_STATE_DIR", None)
    else:
        os.environ["LABS_STATE_DIR"] = previous


@pytest.fixture(scope="session")
def emulator(request, labs_state_dir):
    """The backend for the whole session, started on a free port and stopped at the end."""
    from .private_server import suite_emulator

    with suite_emulator(request.config.getoption("--backend"), labs_state_dir) as backend:
        yield backend


@pytest.fixture
def lab_sandbox(emulator):
    """Factory: ``lab, checker_aws, learner_aws = lab_sandbox("s3-multipart-upload")``."""

    def make(lab_id: str, code_path=None):
        lab = load().get(lab_id)
        sandbox = new_sandbox(lab, emulator)
        return (lab, Aws(sandbox, emulator, code_path=code_path),
                Aws(sandbox, emulator, as_learner=True, code_path=code_path))

    return make
