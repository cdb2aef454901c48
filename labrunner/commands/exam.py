"""``inv exam``: start a timed exam, see its countdown, finish and score it."""

from __future__ import annotations

import secrets

from .. import exam, progress
from ..catalog import load
from ..grading import grade
from ..render import out, table
from ..sandboxes import open_sandbox
from ..server import current_backend
from .common import Attempt, attempt_for
from .lab import write_starter


def run(minutes: float = 30, labs: int = 3, sections: list[str] | None = None, seed: int | None = None,
        finish_now: bool = False) -> int:
    running = exam.current()
    if running and (finish_now or exam.seconds_left(running) == 0):
        return finish(running)
    if running:
        return status(running)
    if finish_now:
        out.print("No exam is running.")
        return 0
    return start(minutes, labs, sections or [], seed if seed is not None else secrets.randbelow(10**6))


def start(minutes: float, count: int, sections: list[str], seed: int) -> int:
    catalog, backend = load(), current_backend()
    lab_ids = exam.pick(catalog, count, sections, seed)
    for lab_id in lab_ids:
        lab = catalog.get(lab_id)
        sandbox = open_sandbox(lab, backend)
        write_starter(Attempt(lab, backend, sandbox), overwrite=True)
        progress.started(lab_id)
    exam.begin(lab_ids, minutes, seed)
    out.print(f"[bold]Exam started[/]: {len(lab_ids)} labs, {minutes:g} minutes (seed {seed}). Each has a "
              "fresh sandbox; hints and solutions open when it ends.")
    for lab_id in lab_ids:
        lab = catalog.get(lab_id)
        out.print(f"  • {lab.id} ({catalog.section_title(lab.section)}): {lab.title} — `inv lab.start {lab.id}`")
    out.print("`inv exam` shows the time left; `inv exam --finish` hands in early.")
    return 0


def status(running: dict) -> int:
    out.print(f"Exam running: {exam.format_left(exam.seconds_left(running))} left, labs: "
              f"{', '.join(running['labs'])}. `inv lab.check <id>` grades as you go; `inv exam --finish` hands in.")
    return 0


def finish(running: dict) -> int:
    catalog, backend = load(), current_backend()
    results, section_of = {}, {}
    for lab_id in running["labs"]:
        attempt = attempt_for(lab_id, quiet=True)
        res = grade(attempt.lab, attempt.checker(), backend.name)
        progress.checked(lab_id, res)
        results[lab_id] = list(res.score)
        section_of[lab_id] = catalog.section_title(attempt.lab.section)
    scored = exam.score(results, section_of)
    exam.finish(running)
    progress.exam_taken({**running, **scored})
    table("Exam result", ["section", "steps passed"],
          [[name, f"{done}/{total}"] for name, (done, total) in scored["sections"].items()])
    done, total = scored["overall"]
    out.print(f"[bold]Overall: {done}/{total} steps[/], {scored['labs_passed']} of {len(results)} labs passed. "
              "Hints and solutions are open again.")
    return 0 if done == total else 1
