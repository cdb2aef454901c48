"""``inv verify``: prove every lab on a backend of its own, as the test suite does."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from rich.progress import Progress

from .. import private_server
from ..backends import backend_class
from ..capabilities import UNAVAILABLE, support
from ..catalog import load
from ..proof import prove_catalogue
from ..render import out, table


@contextlib.contextmanager
def private_state(folder: str):
    previous = os.environ.get("LABS_STATE_DIR")
    os.environ["LABS_STATE_DIR"] = folder
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("LABS_STATE_DIR", None)
        else:
            os.environ["LABS_STATE_DIR"] = previous


@contextlib.contextmanager
def private_emulator(name: str):
    """A server just for this verification, on a free port, stopped at the end.

    Its state folder is private too (as under pytest), so proofs never touch the learner's sandboxes.
    """
    with tempfile.TemporaryDirectory(prefix="labs-verify-") as tmp, private_state(tmp):
        with private_server.private_emulator(name, Path(tmp)) as (backend, _):
            yield backend


def verify(backend_name: str = "moto", lab_ids: list[str] | None = None, junit: str | None = None,
           json_file: str | None = None, workers: int = 4) -> int:
    """Prove the labs the backend can grade; the others are listed as not available, with the matrix's reason."""
    catalog = load()
    labs = [catalog.get(i) for i in lab_ids] if lab_ids else list(catalog.labs)
    cls = backend_class(backend_name)
    found = {lab.id: support(lab, cls) for lab in labs}
    gradable = [lab for lab in labs if found[lab.id].status != UNAVAILABLE]
    with private_emulator(backend_name) as backend, Progress(transient=True) as bar:
        task = bar.add_task("proving labs", total=len(gradable))
        proven = prove_catalogue(gradable, backend, workers, on_lab=lambda lab: bar.advance(task))
    report = [lab_entry(lab.id, proven.get(lab.id), found[lab.id]) for lab in labs]
    summarize(report, backend_name)
    if json_file:
        Path(json_file).write_text(json.dumps({"backend": backend_name, "labs": report}, indent=2) + "\n")
    if junit:
        write_junit(report, backend_name, Path(junit))
    return 0 if all(entry["ok"] for entry in report) else 1


def lab_entry(lab_id: str, proven, found) -> dict:
    if proven is None:
        return {"id": lab_id, "ok": True, "status": "unavailable", "reason": "; ".join(found.reasons),
                "seconds": 0.0, "proofs": []}
    outcomes, seconds = proven
    ok = all(o.ok for o in outcomes)
    return {"id": lab_id, "ok": ok, "status": "proven" if ok else "broken", "seconds": round(seconds, 2),
            "proofs": [{"name": o.name, "ok": o.ok, "unprovable": o.unprovable, "sentence": o.sentence}
                       for o in outcomes]}


RESULT = {"proven": "[green]proven[/]", "broken": "[red]broken[/]", "unavailable": "[yellow]not available[/]"}


def summarize(report: list[dict], backend_name: str) -> None:
    table(f"Catalogue proof on {backend_name}", ["lab", "proofs", "result", "time"], [
        [e["id"], proof_count(e["proofs"]) if e["proofs"] else "-", RESULT[e["status"]], f"{e['seconds']:.1f} s"]
        for e in report
    ])
    for entry in report:
        if entry["status"] == "unavailable":
            out.print(f"[yellow]–[/] {entry['id']} is not available on {backend_name}: {entry['reason']}.")
        for proof in entry["proofs"]:
            if not proof["ok"]:
                out.print(f"[red]✘[/] {entry['id']} / {proof['name']}: {proof['sentence']}")
            elif proof["unprovable"]:
                out.print(f"[yellow]–[/] {entry['id']} / {proof['name']} is not provable here: {proof['sentence']}")
    gradable = [e for e in report if e["status"] != "unavailable"]
    unavailable = len(report) - len(gradable)
    out.print(f"{sum(e['ok'] for e in gradable)} of {len(gradable)} labs proven on {backend_name}"
              + (f"; {unavailable} not available there." if unavailable else "."))


def proof_count(proofs: list[dict]) -> str:
    """``passed/run``, and how many this backend cannot show."""
    run = [p for p in proofs if not p["unprovable"]]
    text = f"{sum(p['ok'] for p in run)}/{len(run)}"
    return text + (f" (+{len(proofs) - len(run)} not provable here)" if len(run) < len(proofs) else "")


def junit_cases(entry: dict) -> list[tuple[str, str | None, str]]:
    """(name, "failure" / "skipped" / None, message) for each test case of one lab."""
    if entry["status"] == "unavailable":
        return [("not available", "skipped", entry["reason"])]
    return [(p["name"], "failure" if not p["ok"] else "skipped" if p["unprovable"] else None, p["sentence"])
            for p in entry["proofs"]]


def write_junit(report: list[dict], backend_name: str, path: Path) -> None:
    cases = [(entry["id"], case) for entry in report for case in junit_cases(entry)]
    suite = ET.Element("testsuite", name=f"labs-{backend_name}", tests=str(len(cases)),
                       failures=str(sum(kind == "failure" for _, (_, kind, _) in cases)),
                       skipped=str(sum(kind == "skipped" for _, (_, kind, _) in cases)))
    for lab_id, (name, kind, message) in cases:
        case = ET.SubElement(suite, "testcase", classname=lab_id, name=name)
        if kind:
            ET.SubElement(case, kind, message=message)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
