"""Fixtures for driving the real `inv` command line as a learner would."""

import subprocess
import sys

import pytest

from labrunner.backends.base import free_port
from labrunner.paths import ROOT


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    """Run `inv ...` with private state, workspace and port; stop the emulator afterwards."""
    home = tmp_path_factory.mktemp("learner")
    env = {"PATH": f"{sys.prefix}/bin:/usr/bin:/bin", "HOME": str(home), "LABS_STATE_DIR": str(home / "state"),
           "LABS_WORKSPACE": str(home / "workspace"), "LABS_PORT": str(free_port()),
           "AWS_PROFILE": "production", "AWS_ACCESS_KEY_ID": "AKIAREALLOOKING00001"}

    def inv(*args, timeout=120):
        return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=timeout)

    def shell(lab_id, script):
        """Run a bash script the way a learner would, after `eval "$(inv lab.env ID)"`."""
        exports = inv("lab.env", lab_id).stdout
        return subprocess.run(["bash", "-c", exports + "\n" + script], env=env, capture_output=True, text=True,
                              check=True)

    inv.env, inv.home, inv.shell = env, home, shell
    yield inv
    inv("down")
