"""A sandbox minted ahead of time, so a save is re-checked without waiting for one."""

from __future__ import annotations

import threading

from ..sandboxes import new_sandbox, store_sandbox


class SpareSandbox:
    def __init__(self, lab, backend) -> None:
        self.lab, self.backend = lab, backend
        self._ready = None
        self._error = None
        self._thread = None
        self.prepare()

    def prepare(self) -> None:
        def mint():
            try:
                self._ready = new_sandbox(self.lab, self.backend)
            except Exception as exc:  # reported when the sandbox is taken
                self._error = exc

        self._ready, self._error = None, None
        self._thread = threading.Thread(target=mint, daemon=True)
        self._thread.start()

    def take(self):
        """The spare sandbox, now the lab's current one; another is prepared behind it."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        sandbox = store_sandbox(self._ready)
        self.prepare()
        return sandbox
