"""Small JSON files that survive two processes at once and a crash mid-write.

A ``filelock`` lock serialises writers; each write goes to a temporary file
that replaces the old one atomically, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from filelock import FileLock


class JsonStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = FileLock(str(path) + ".lock", timeout=30)

    def read(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except ValueError:
            # A file damaged by something other than us: start again, keep a copy.
            self.path.replace(self.path.with_suffix(".damaged"))
            return {}

    @contextlib.contextmanager
    def update(self):
        """Yield the data for editing; it is written back when the block ends."""
        with self._lock:
            data = self.read()
            yield data
            self._write(data)

    def _write(self, data: dict) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
