"""The watch loop: file events and typed commands arrive on one queue.

A save gives the lab a fresh sandbox (setup re-applied), runs the workspace
file in it and grades; `h`, `r`, `s`, `q` + Enter ask for a hint, a reset,
the solution, or to stop.  File events come from watchfiles; with ``poll``
(or where native events do not arrive, such as some network or WSL mounts)
it polls instead.
"""

from __future__ import annotations

import queue
import sys
import threading
import time

import watchfiles

from .. import progress
from ..commands.common import Attempt
from ..errors import LabError
from ..grading import grade
from ..harness import run_script
from ..render import out, output_panel, result
from .spare import SpareSandbox

def signature(path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


COMMANDS = {"h": "hint", "r": "reset", "s": "solution", "q": "quit"}


def watch_file(path, events: queue.Queue, stop: threading.Event, poll: bool) -> None:
    def same_file(change, changed_path: str) -> bool:
        return changed_path == str(path)

    for _ in watchfiles.watch(path.parent, watch_filter=same_file, stop_event=stop, force_polling=poll,
                              debounce=50, step=20, poll_delay_ms=100, raise_interrupt=False):
        events.put("changed")


def read_commands(events: queue.Queue, stream=sys.stdin) -> None:
    for line in stream:
        events.put(COMMANDS.get(line.strip().lower()[:1], "unknown"))
    events.put("quit")


class Watch:
    def __init__(self, attempt: Attempt, timeout: float = 60.0, poll: bool = False) -> None:
        self.attempt = attempt
        self.timeout = timeout
        self.poll = poll
        self.spare = SpareSandbox(attempt.lab, attempt.backend)

    def cycle(self):
        """Fresh sandbox, run the file, grade, redraw; returns the result."""
        started = time.monotonic()
        self.attempt.sandbox = self.spare.take()
        path = self.attempt.workspace_file
        self.last_run = signature(path)
        run = run_script(path, self.attempt.sandbox.learner_env(), self.timeout)
        res = grade(self.attempt.lab, self.attempt.checker(), self.attempt.backend.name)
        progress.checked(self.attempt.lab.id, res)
        out.clear()
        self.header()
        output_panel(run.output, f"output of {path.name}")
        if run.error:
            out.print(f"[red]{run.error}[/]")
        result(res)
        out.print(f"[dim]re-checked in {time.monotonic() - started:.2f} s at {time.strftime('%H:%M:%S')}[/]")
        return res

    def header(self) -> None:
        out.print(f"[bold]Watching {self.attempt.workspace_file}[/]: save it to re-run and re-check "
                  "in a fresh sandbox. Type h (hint), r (reset), s (solution) or q (quit), then Enter.")

    def run(self, commands=sys.stdin) -> None:
        events: queue.Queue = queue.Queue()
        stop = threading.Event()
        threading.Thread(target=watch_file, args=(self.attempt.workspace_file, events, stop, self.poll),
                         daemon=True).start()
        threading.Thread(target=read_commands, args=(events, commands), daemon=True).start()
        try:
            self.cycle()
            while (event := self.next_event(events)) != "quit":
                if event:
                    self.handle(event)
        finally:
            stop.set()

    def next_event(self, events: queue.Queue) -> str | None:
        """The next key or file event; a save the watcher missed (a busy machine) is caught within a second."""
        try:
            return events.get(timeout=1.0)
        except queue.Empty:
            return "changed" if signature(self.attempt.workspace_file) != self.last_run else None

    def handle(self, event: str) -> None:
        from ..commands import lab as lab_commands  # the commands import this module

        try:
            if event == "changed":
                self.cycle()
            elif event == "hint":
                lab_commands.hint(self.attempt.lab.id)
            elif event == "solution":
                lab_commands.solution(self.attempt.lab.id)
            elif event == "reset":
                self.attempt.sandbox = self.spare.take()
                out.print(f"Fresh sandbox (account {self.attempt.sandbox.account_id}); save the file to re-run.")
            else:
                out.print("Type h, r, s or q, then Enter.")
        except LabError as exc:
            out.print(exc.message)
