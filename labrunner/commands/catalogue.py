"""``inv labs``: the catalogue with the learner's progress."""

from __future__ import annotations

from .. import progress
from ..catalog import load
from ..render import as_json, table


def status_of(entry: dict) -> str:
    if entry.get("passed_at"):
        return "passed"
    if entry.get("attempts"):
        return "attempted"
    if entry.get("started_at"):
        return "started"
    return "not started"


def rows() -> list[dict]:
    catalog, seen = load(), progress.all_progress()
    listed = []
    for section in catalog.sections:
        for lab in (lab for lab in catalog.labs if lab.section == section):
            entry = seen.get(lab.id, {})
            best = entry.get("best_score")
            listed.append({
                "section": catalog.section_title(section), "id": lab.id, "title": lab.title,
                "kind": lab.kind, "difficulty": lab.difficulty, "status": status_of(entry),
                "score": {"passed": best[0], "verifiable": best[1]} if best else None,
                "attempts": entry.get("attempts", 0), "hints_used": entry.get("hints_used", 0),
            })
    return listed


def labs(json_output: bool = False) -> None:
    listed = rows()
    if json_output:
        as_json({"labs": listed})
        return
    marks = {"passed": "[green]✔ passed[/]", "attempted": "[yellow]attempted[/]", "started": "started",
             "not started": "[dim]not started[/]"}
    table("AWS Certified Developer labs", ["section", "id", "title", "kind", "status", "best"], [
        [row["section"], row["id"], row["title"], row["kind"], marks[row["status"]],
         f"{row['score']['passed']}/{row['score']['verifiable']}" if row["score"] else ""]
        for row in listed
    ])
