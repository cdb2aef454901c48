"""Exam mode: a timed, random set of labs in fresh sandboxes, no help until the end."""

from __future__ import annotations

import random
import time

from . import paths
from .catalog import Catalog
from .errors import LabError
from .store import JsonStore


def _store() -> JsonStore:
    return JsonStore(paths.state_dir() / "exam.json")


def current() -> dict | None:
    exam = _store().read()
    return exam if exam.get("labs") and not exam.get("finished_at") else None


def seconds_left(exam: dict) -> float:
    return max(0.0, exam["deadline"] - time.time())


def pick(catalog: Catalog, count: int, sections: list[str], seed: int) -> list[str]:
    wanted = {s.lower() for s in sections}
    pool = [lab.id for lab in catalog.labs if not wanted or lab.section in wanted
            or catalog.section_title(lab.section).lower() in wanted]
    if not pool:
        known = ", ".join(catalog.sections)
        raise LabError(f"No lab is in the sections {', '.join(sections)}; the sections are: {known}.")
    return random.Random(seed).sample(pool, min(count, len(pool)))


def begin(lab_ids: list[str], minutes: float, seed: int) -> dict:
    now = time.time()
    exam = {"started_at": now, "deadline": now + minutes * 60, "minutes": minutes, "seed": seed, "labs": lab_ids}
    with _store().update() as data:
        data.clear()
        data.update(exam)
    return exam


def finish(exam: dict) -> None:
    with _store().update() as data:
        data["finished_at"] = time.time()


def forbid_help(what: str) -> None:
    """Hints and solutions wait until the exam is over."""
    exam = current()
    if exam and seconds_left(exam) > 0:
        raise LabError(f"No {what} during the exam: {format_left(seconds_left(exam))} left "
                       "(`inv exam --finish` ends it now).", code=1)
    if exam:
        raise LabError(f"The exam's time is up: run `inv exam` to score it, then {what} open again.", code=1)


def format_left(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s"


def score(results: dict, section_of: dict) -> dict:
    """Per section and overall: verifiable steps passed out of verifiable steps."""
    sections: dict = {}
    for lab_id, (done, total) in results.items():
        entry = sections.setdefault(section_of[lab_id], [0, 0])
        entry[0] += done
        entry[1] += total
    overall = [sum(v[0] for v in sections.values()), sum(v[1] for v in sections.values())]
    return {"results": results, "sections": sections, "overall": overall,
            "labs_passed": sum(done == total and total > 0 for done, total in results.values())}
