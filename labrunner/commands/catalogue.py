"""``inv labs``: the catalogue with the learner's progress."""

from __future__ import annotations

from .. import progress
from ..backends import backend_class
from ..capabilities import FULL, PARTLY, UNAVAILABLE, support
from ..catalog import load
from ..render import as_json, out, table


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


SUPPORT_MARKS = {FULL: "[green]full[/]", PARTLY: "[yellow]partly[/]", UNAVAILABLE: "[red]not available[/]"}


def with_support(listed: list[dict], backend_name: str) -> list[dict]:
    """Each row plus how ``backend_name`` grades the lab (from the declared capability matrix)."""
    backend_cls, catalog = backend_class(backend_name), load()
    return [{**row, "support": support(catalog.get(row["id"]), backend_cls).to_dict()} for row in listed]


def support_cell(entry: dict) -> str:
    steps = entry["steps_not_verifiable"]
    extra = f" (step{'s' if len(steps) > 1 else ''} {', '.join(steps)})" if steps else ""
    return SUPPORT_MARKS[entry["status"]] + extra


def support_reasons(listed: list[dict]) -> None:
    for row in listed:
        entry = row["support"]
        for reason in entry["reasons"]:
            out.print(f"{row['id']}: {reason}.")
        for number, reason in entry["steps_not_verifiable"].items():
            out.print(f"{row['id']} step {number}: not verifiable, {reason}.")


def labs(json_output: bool = False, backend_name: str | None = None) -> None:
    listed = rows()
    if backend_name:
        listed = with_support(listed, backend_name)
    if json_output:
        as_json({"labs": listed, **({"backend": backend_name} if backend_name else {})})
        return
    marks = {"passed": "[green]✔ passed[/]", "attempted": "[yellow]attempted[/]", "started": "started",
             "not started": "[dim]not started[/]"}
    columns = ["section", "id", "title", "kind", "status", "best"] + ([f"on {backend_name}"] if backend_name else [])
    table("AWS Certified Developer labs", columns, [
        [row["section"], row["id"], row["title"], row["kind"], marks[row["status"]],
         f"{row['score']['passed']}/{row['score']['verifiable']}" if row["score"] else "",
         *([support_cell(row["support"])] if backend_name else [])]
        for row in listed
    ])
    if backend_name:
        support_reasons(listed)


def lab_coverage(lab, entry: dict) -> dict:
    """One lab's steps, each marked with whether the learner's best check passed it."""
    done = set(entry.get("steps_passed", []))
    steps = [{"number": s.number, "title": s.title, "passed": s.number in done} for s in lab.steps(lab.names)]
    return {"id": lab.id, "title": lab.title, "kind": lab.kind, "status": status_of(entry), "steps": steps}


def coverage_map() -> dict:
    """Every section of the study notes with the labs and steps that cover it."""
    catalog, seen = load(), progress.all_progress()
    sections = []
    for key, title in catalog.sections.items():
        labs_here = [lab_coverage(lab, seen.get(lab.id, {})) for lab in catalog.labs if lab.section == key]
        steps = [step for lab in labs_here for step in lab["steps"]]
        sections.append({"section": key, "title": title, "labs": labs_here, "steps": len(steps),
                         "steps_passed": sum(step["passed"] for step in steps),
                         "labs_passed": sum(lab["status"] == "passed" for lab in labs_here)})
    covered = sum(bool(s["labs"]) for s in sections)
    return {"sections": sections, "sections_covered": covered, "sections_total": len(sections),
            "steps": sum(s["steps"] for s in sections), "steps_passed": sum(s["steps_passed"] for s in sections)}


def coverage_rows(section: dict) -> list[list[str]]:
    if not section["labs"]:
        return [[section["title"], "[red]no lab yet[/]", "", ""]]
    rows = []
    for index, lab in enumerate(section["labs"]):
        passed = sum(step["passed"] for step in lab["steps"])
        titles = "\n".join(("[green]✔[/] " if step["passed"] else "· ") + f"{step['number']}. {step['title'].replace('`', '')}"
                           for step in lab["steps"])
        rows.append([section["title"] if index == 0 else "", lab["id"], titles, f"{passed}/{len(lab['steps'])}"])
    return rows


def coverage(json_output: bool = False) -> None:
    mapped = coverage_map()
    if json_output:
        as_json(mapped)
        return
    table("Study notes coverage: sections, the labs and steps that teach them, your progress",
          ["section", "lab", "steps", "yours"],
          [row for section in mapped["sections"] for row in coverage_rows(section)])
    out.print(f"{mapped['sections_covered']} of {mapped['sections_total']} sections have labs; you have passed "
              f"{mapped['steps_passed']} of {mapped['steps']} steps.")
