"""The learner's progress per lab, kept in ``progress.json`` in the state folder."""

from __future__ import annotations

import contextlib
import time

from . import paths
from .store import JsonStore


def _store() -> JsonStore:
    return JsonStore(paths.state_dir() / "progress.json")


def all_progress() -> dict:
    return _store().read().get("labs", {})


def of(lab_id: str) -> dict:
    return all_progress().get(lab_id, {})


@contextlib.contextmanager
def _edit(lab_id: str):
    with _store().update() as data:
        yield data.setdefault("labs", {}).setdefault(lab_id, {})


def started(lab_id: str) -> None:
    with _edit(lab_id) as entry:
        entry.setdefault("started_at", time.time())


def hint_seen(lab_id: str, rung: int) -> None:
    with _edit(lab_id) as entry:
        entry["hints_used"] = max(entry.get("hints_used", 0), rung)


def checked(lab_id: str, result) -> None:
    done, total = result.score
    with _edit(lab_id) as entry:
        entry.setdefault("started_at", time.time())
        entry["attempts"] = entry.get("attempts", 0) + 1
        entry["last_checked_at"] = time.time()
        entry["last_score"] = [done, total]
        if done >= entry.get("best_score", [0, 0])[0]:
            entry["best_score"] = [done, total]
            entry["steps_passed"] = [s.number for s in result.steps if s.status.value == "PASS"]
        if result.passed:
            entry.setdefault("passed_at", time.time())


def exam_taken(record: dict) -> None:
    with _store().update() as data:
        data.setdefault("exams", []).append(record)


def exams() -> list[dict]:
    return _store().read().get("exams", [])
