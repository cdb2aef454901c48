"""Watch mode, driven as a learner drives it: save the file, read the redraw, type q."""

import queue
import subprocess
import sys
import threading
import time

import pytest

from labrunner.backends.base import free_port
from labrunner.paths import ROOT

SOLVED = '''
import os
import boto3

s3 = boto3.client("s3")
bucket, key = os.environ["LABS_NAME_BUCKET"], os.environ["LABS_NAME_KEY"]
s3.create_bucket(Bucket=bucket)
upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
parts = []
for n in (1, 2, 3):
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=n, Body=os.urandom(5 * 2**20))["ETag"]
    parts.append({"PartNumber": n, "ETag": etag})
s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts})
s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{"ID": "a",
    "Status": "Enabled", "Filter": {}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})
'''


class Lines:
    """Collects a process's output lines; waits for one that contains a text."""

    def __init__(self, stream):
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in stream], daemon=True).start()

    def wait_for(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {timeout} s")


@pytest.fixture
def learner_env(tmp_path):
    env = {"PATH": f"{sys.prefix}/bin:/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONUNBUFFERED": "1",
           "LABS_STATE_DIR": str(tmp_path / "state"), "LABS_WORKSPACE": str(tmp_path / "ws"),
           "LABS_PORT": str(free_port())}
    subprocess.run([sys.executable, "-m", "invoke", "up"], cwd=ROOT, env=env, check=True, capture_output=True)
    yield env
    subprocess.run([sys.executable, "-m", "invoke", "down"], cwd=ROOT, env=env, capture_output=True)


@pytest.mark.parametrize("poll", [False, True], ids=["file-events", "polling"])
def test_saving_the_file_re_checks_it(learner_env, tmp_path, poll):
    args = [sys.executable, "-m", "invoke", "lab.watch", "s3-multipart-upload"] + (["--poll"] if poll else [])
    watch = subprocess.Popen(args, cwd=ROOT, env=learner_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    lines = Lines(watch.stdout)
    try:
        lines.wait_for("0/4 steps")
        (tmp_path / "ws" / "s3_multipart_upload.py").write_text(SOLVED)
        lines.wait_for("4/4 steps")
        watch.stdin.write("h\n")
        watch.stdin.flush()
        lines.wait_for("no hint needed")
        (tmp_path / "ws" / "s3_multipart_upload.py").write_text("raise RuntimeError('half done')\n")
        lines.wait_for("RuntimeError: half done")
        lines.wait_for("0/4 steps")  # a fresh sandbox: nothing of the earlier run is left
        watch.stdin.write("q\n")
        watch.stdin.flush()
        assert watch.wait(timeout=20) == 0
    finally:
        watch.kill()
