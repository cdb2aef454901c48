"""Local state files survive concurrent writers and damaged files."""

import json
import subprocess
import sys

from labrunner.store import JsonStore

WRITER = """
import sys
from pathlib import Path
from labrunner.store import JsonStore
store = JsonStore(Path(sys.argv[1]))
for _ in range(50):
    with store.update() as data:
        data["count"] = data.get("count", 0) + 1
"""


def test_two_processes_updating_at_once_lose_nothing(tmp_path):
    path = tmp_path / "progress.json"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path)]) for _ in range(2)]
    assert [w.wait() for w in writers] == [0, 0]
    assert json.loads(path.read_text())["count"] == 100


def test_a_damaged_file_is_set_aside_not_fatal(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text('{"labs": {')
    store = JsonStore(path)
    assert store.read() == {}
    assert [p.read_text() for p in tmp_path.glob("progress.damaged-*.json")] == ['{"labs": {']
    with store.update() as data:
        data["ok"] = True
    assert store.read() == {"ok": True}
