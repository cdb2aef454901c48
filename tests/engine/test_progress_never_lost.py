"""Progress never lost: many writers at once, a writer killed mid-write, a damaged file.

tests/engine/test_store.py has two writers and a damaged file; this module
takes the learner's progress (``labrunner.progress`` over ``JsonStore``)
through eight processes at once, SIGKILL at the worst moment, and damaged
files of every kind, and reports the figures.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from labrunner import progress
from labrunner.grading import LabResult, Status, StepResult
from labrunner.paths import ROOT
from labrunner.store import JsonStore

WRITERS, UPDATES = 8, 500


def a_result(lab_id: str, passed_steps: int) -> LabResult:
    return LabResult(lab_id, "moto", [StepResult(n, f"step {n}", Status.PASS if n <= passed_steps else Status.FAIL,
                                                 "A sentence.") for n in (1, 2, 3)])


def writer(state_dir: str, index: int, start) -> None:
    """One learner process: 500 checks, alternately of a shared lab and of its own.

    The writers skip ``fsync``: it guards against a power cut, which nothing
    here simulates, and costs 1-10 ms a write on a busy disk, which made 4,000
    serialised updates take from 4 s to over 100 s.  Locking, reading and the
    atomic replace, which decide whether an update is lost, run as in use.
    """
    import labrunner.store

    labrunner.store.os.fsync = lambda fd: None
    os.environ["LABS_STATE_DIR"] = state_dir
    start.wait()
    for n in range(UPDATES):
        lab_id = "shared-lab" if n % 2 else f"own-lab-{index}"
        progress.checked(lab_id, a_result(lab_id, n % 4))


def test_eight_processes_updating_progress_lose_nothing(tmp_path, monkeypatch, reliability_figures):
    monkeypatch.setenv("LABS_STATE_DIR", str(tmp_path))
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as separate `inv` commands are
    start = context.Barrier(WRITERS)
    processes = [context.Process(target=writer, args=(str(tmp_path), i, start)) for i in range(WRITERS)]
    began = time.monotonic()
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    elapsed = time.monotonic() - began
    assert [p.exitcode for p in processes] == [0] * WRITERS
    labs = progress.all_progress()
    counted = sum(entry["attempts"] for entry in labs.values())
    assert labs["shared-lab"]["attempts"] == WRITERS * UPDATES // 2
    assert all(labs[f"own-lab-{i}"]["attempts"] == UPDATES // 2 for i in range(WRITERS))
    assert list(tmp_path.glob("*.tmp")) == []
    reliability_figures.add("progress updates", f"{WRITERS} processes x {UPDATES} updates: {counted} of "
                                                f"{WRITERS * UPDATES} counted, {WRITERS * UPDATES - counted} lost "
                                                f"({elapsed:.1f} s)")


STALLED_WRITER = """
import os, sys, time
from pathlib import Path
import labrunner.store as store
marker = Path(sys.argv[2])
def stall(fd):  # the new version is written to the temporary file, not yet in place
    marker.write_text("writing")
    time.sleep(60)
store.os.fsync = stall
with store.JsonStore(Path(sys.argv[1])).update() as data:
    data["count"] = data.get("count", 0) + 1
    data["padding"] = "x" * 1_000_000
"""

BUSY_WRITER = """
import sys
from pathlib import Path
from labrunner.store import JsonStore
store = JsonStore(Path(sys.argv[1]))
while True:
    with store.update() as data:
        data["count"] = data.get("count", 0) + 1
        data["padding"] = "x" * 200_000
"""


def child(code: str, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the writer never got going"
        time.sleep(0.005)


def test_a_writer_killed_mid_write_leaves_the_last_good_version(tmp_path):
    path, marker = tmp_path / "progress.json", tmp_path / "marker"
    store = JsonStore(path)
    with store.update() as data:
        data["count"] = 1
    writer = child(STALLED_WRITER, path, marker)
    wait_for(marker.exists)
    os.kill(writer.pid, signal.SIGKILL)  # holding the lock, its new version half way to disk
    writer.wait()
    assert store.read() == {"count": 1}
    assert len(list(tmp_path.glob("progress.json.*.tmp"))) == 1  # what the dead writer left
    began = time.monotonic()
    with store.update() as data:  # the lock died with its holder
        data["count"] += 1
    assert time.monotonic() - began < 1.0
    assert store.read() == {"count": 2}
    assert list(tmp_path.glob("progress.json.*.tmp")) == []


def test_writers_killed_at_random_moments_never_leave_an_unreadable_store(tmp_path, reliability_figures):
    path = tmp_path / "progress.json"
    store = JsonStore(path)
    rng = random.Random(8)
    last = 0
    kills = 12
    for _ in range(kills):
        writer = child(BUSY_WRITER, path)
        wait_for(lambda: store.read().get("count", 0) > last)
        time.sleep(rng.uniform(0, 0.05))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        count = json.loads(path.read_text())["count"]  # a whole JSON file, never half of one
        assert count >= last
        last = count
    with store.update() as data:
        data["count"] += 1
    assert store.read()["count"] == last + 1 and list(tmp_path.glob("*.tmp")) == []
    reliability_figures.add("writers killed with SIGKILL", f"{kills + 1} (one mid-write on purpose), "
                                                          "0 unreadable stores")


@pytest.mark.parametrize("damage", [b'{"labs": {"s3-put-object": {"attempts": 3', b"\x00\x00\x00\x00",
                                    b"\xff\xfe not utf-8", b"", b"[1, 2, 3]", b"null"],
                         ids=["cut short", "zeros", "not utf-8", "empty", "a list", "null"])
def test_a_damaged_progress_file_is_set_aside_with_one_sentence_and_a_fresh_one_started(
        tmp_path, monkeypatch, capsys, damage):
    monkeypatch.setenv("LABS_STATE_DIR", str(tmp_path))
    (tmp_path / "progress.json").write_bytes(damage)
    assert progress.all_progress() == {}
    (aside,) = tmp_path.glob("progress.damaged-*.json")
    assert aside.read_bytes() == damage
    assert re.fullmatch(r"progress\.damaged-\d{8}-\d{6}\.json", aside.name)
    warning = capsys.readouterr().err.strip()
    assert warning == (f"progress.json was damaged (not a JSON object), so it was set aside as {aside.name} "
                       "and a fresh one was started.")
    progress.started("s3-put-object")
    assert "started_at" in progress.of("s3-put-object")
    assert capsys.readouterr().err == ""  # said once


def test_damaged_twice_in_one_second_keeps_both_copies(tmp_path, capsys):
    path = tmp_path / "progress.json"
    store = JsonStore(path)
    for damage in ("first {", "second {"):
        path.write_text(damage)
        assert store.read() == {}
    assert sorted(p.read_text() for p in tmp_path.glob("progress.damaged-*.json")) == ["first {", "second {"]
    assert len(capsys.readouterr().err.strip().splitlines()) == 2


READER = """
import sys
from pathlib import Path
from labrunner.store import JsonStore
print(JsonStore(Path(sys.argv[1])).read())
"""


def test_many_processes_finding_a_damaged_file_set_it_aside_once(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text("{ damaged")
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(path)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outputs = [reader.communicate(timeout=60) for reader in readers]
    assert [reader.returncode for reader in readers] == [0] * 6
    assert [out.strip() for out, _ in outputs] == ["{}"] * 6
    assert len(list(tmp_path.glob("progress.damaged-*.json"))) == 1
    assert sum(bool(err.strip()) for _, err in outputs) == 1
