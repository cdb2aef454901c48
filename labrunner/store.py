"""Small JSON files that survive many processes at once and a crash mid-write.

A ``filelock`` lock serialises writers; each write goes to a temporary file
that replaces the old one atomically, so a reader never sees half a file, and
a writer killed mid-write (even with SIGKILL) leaves the previous version in
place: the lock dies with its process and the next writer removes the
orphaned temporary file.  A file damaged by something else (an editor, a full
disk, a copy from another machine) is set aside under a timestamped name with
a one-sentence warning, and a fresh one is started.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import LabError

LOCK_TIMEOUT = 30.0
_DAMAGED = object()


def warn(sentence: str) -> None:
    """Tell the learner on stderr (stdout stays clean for eval and --json)."""
    print(sentence, file=sys.stderr)


class JsonStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT, poll_interval=0.01)

    def read(self) -> dict:
        data = self._load()
        if data is _DAMAGED:
            with self._locked():  # one process sets it aside; the others then read the fresh state
                data = self._load()
                if data is _DAMAGED:
                    self._set_aside()
                    data = {}
        return data

    @contextlib.contextmanager
    def update(self):
        """Yield the data for editing; it is written back when the block ends (not if it raises)."""
        with self._locked():
            self._remove_orphans()
            data = self.read()
            yield data
            self._write(data)

    # --- internals ------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self):
        try:
            self._lock.acquire()
        except Timeout:
            raise LabError(f"Another runner command has held {self.path.name} for {LOCK_TIMEOUT:.0f} s; "
                           "let it finish and try again.") from None
        try:
            yield
        finally:
            self._lock.release()

    def _load(self):
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
        except ValueError:  # not JSON, or not UTF-8
            return _DAMAGED
        return data if isinstance(data, dict) else _DAMAGED

    def _set_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.stem}.damaged-{stamp}{self.path.suffix}")
        counter = 1
        while aside.exists():
            aside = self.path.with_name(f"{self.path.stem}.damaged-{stamp}-{counter}{self.path.suffix}")
            counter += 1
        os.replace(self.path, aside)
        warn(f"{self.path.name} was damaged (not a JSON object), so it was set aside as {aside.name} "
             "and a fresh one was started.")
        return aside

    def _temporaries(self) -> list[Path]:
        return list(self.path.parent.glob(f"{self.path.name}.*.tmp"))

    def _remove_orphans(self) -> None:
        """Under the lock no one else is writing: any temporary file is a dead writer's."""
        for orphan in self._temporaries():
            with contextlib.suppress(FileNotFoundError):
                orphan.unlink()

    def _write(self, data: dict) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
