"""The learner's loop through the real `inv` command line, as a learner types it."""

import json
import socket
import subprocess
import sys

from labrunner.backends.base import free_port
from labrunner.paths import ROOT

LAB = "s3-multipart-upload"


def test_commands_before_up_say_how_to_start(runner):
    result = runner("lab.check", LAB)
    assert result.returncode == 2
    assert "start it with `inv up`" in result.stderr and "Traceback" not in result.stderr


def test_up_is_idempotent(runner):
    first, second = runner("up"), runner("up")
    assert first.returncode == 0 and "is running at http://127.0.0.1:" in first.stdout
    assert second.returncode == 0 and "already running" in second.stdout
    assert runner("status").returncode == 0


def test_an_unknown_lab_suggests_the_closest(runner):
    result = runner("lab.check", "s3-multipart")
    assert result.returncode == 2 and "Did you mean s3-multipart-upload" in result.stderr


def test_a_fresh_lab_fails_with_one_cross_per_step(runner):
    assert runner("lab.start", LAB).returncode == 0
    assert (runner.home / "workspace" / "s3_multipart_upload.py").exists()
    result = runner("lab.check", LAB)
    assert result.returncode == 1
    assert result.stdout.count("✘") == 4


def test_one_put_object_is_told_on_the_multipart_step(runner):
    runner.shell(LAB, f"{sys.executable} -c \"import boto3, os; s3 = boto3.client('s3'); "
                          "b = os.environ['LABS_NAME_BUCKET']; s3.create_bucket(Bucket=b); "
                          "s3.put_object(Bucket=b, Key='backups/archive.bin', Body=os.urandom(16 * 2**20))\"")
    result = runner("lab.check", LAB, "--json")
    steps = json.loads(result.stdout)["steps"]
    assert result.returncode == 1
    assert steps[0]["status"] == "PASS"
    assert steps[1]["status"] == "FAIL" and "with one PutObject call" in steps[1]["message"]


def test_hints_climb_the_ladder_and_open_the_solution(runner):
    assert runner("lab.solution", LAB).returncode == 1
    first = runner("lab.hint", LAB).stdout
    assert "About step 2" in first and "Hint 1 of 3" in first
    runner("lab.hint", LAB)
    assert "Hint 3 of 3" in runner("lab.hint", LAB).stdout
    assert "def solve(aws)" in runner("lab.solution", LAB).stdout


def test_solve_then_check_passes(runner):
    assert runner("lab.solve", LAB).returncode == 0
    result = runner("lab.check", LAB)
    assert result.returncode == 0 and result.stdout.count("✔") == 4
    listed = json.loads(runner("labs", "--json").stdout)["labs"]
    assert next(row for row in listed if row["id"] == LAB)["status"] == "passed"


def write_workspace(runner, text):
    (runner.home / "workspace" / "s3_multipart_upload.py").write_text(text)


def test_a_raising_script_is_one_sentence_and_the_runner_stays_usable(runner):
    write_workspace(runner, "import boto3\nboto3.client('s3').head_bucket(Bucket='nope-nope')\n")
    result = runner("lab.run", LAB)
    assert "s3_multipart_upload.py exited with code 1: botocore.exceptions.ClientError" in result.stderr
    assert "Traceback" not in result.stderr
    assert runner("lab.check", LAB).returncode == 0


def test_a_hanging_script_is_stopped(runner):
    write_workspace(runner, "import time\ntime.sleep(60)\n")
    result = runner("lab.run", LAB, "--timeout", "2")
    assert "was still running after 2 s and was stopped" in result.stderr


def test_reset_gives_a_fresh_account(runner):
    before = runner("lab.env", LAB).stdout
    assert runner("lab.reset", LAB).returncode == 0
    assert runner("lab.env", LAB).stdout != before
    assert runner("lab.check", LAB).returncode == 1


def test_down_is_idempotent_and_commands_then_say_so(runner):
    assert "Stopped the moto emulator" in runner("down").stdout
    assert "No emulator was running" in runner("down").stdout
    assert runner("lab.check", LAB).returncode == 2


def test_a_taken_port_moves_the_emulator(runner):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = dict(runner.env, LABS_PORT=str(port))
        up = subprocess.run([sys.executable, "-m", "invoke", "up"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert up.returncode == 0 and f"Port {port} is taken" in up.stderr
    runner("down")
