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
    catalog = load()
    labs = [catalog.get(i) for i in lab_ids] if lab_ids else list(catalog.labs)
    with private_emulator(backend_name) as backend, Progress(transient=True) as bar:
        task = bar.add_task("proving labs", total=len(labs))
        proven = prove_catalogue(labs, backend, workers, on_lab=lambda lab: bar.advance(task))
    report = [{"id": lab_id, "ok": all(o.ok for o in outcomes), "seconds": round(seconds, 2),
               "proofs": [{"name": o.name, "ok": o.ok, "unprovable": o.unprovable, "sentence": o.sentence}
                          for o in outcomes]}
              for lab_id, (outcomes, seconds) in proven.items()]
    summarize(report, backend_name)
    if json_file:
        Path(json_file).write_text(json.dumps({"backend": backend_name, "labs": report}, indent=2) + "\n")
    if junit:
        write_junit(report, backend_name, Path(junit))
    return 0 if all(entry["ok"] for entry in report) else 1


def summarize(report: list[dict], backend_name: str) -> None:
    table(f"Catalogue proof on {backend_name}", ["lab", "proofs", "result", "time"], [
        [e["id"], proof_count(e["proofs"]), "[green]proven[/]" if e["ok"] else "[red]broken[/]",
         f"{e['seconds']:.1f} s"] for e in report
    ])
    for entry in report:
        for proof in entry["proofs"]:
            if not proof["ok"]:
                out.print(f"[red]✘[/] {entry['id']} / {proof['name']}: {proof['sentence']}")
            elif proof["unprovable"]:
                out.print(f"[yellow]–[/] {entry['id']} / {proof['name']} is not provable here: {proof['sentence']}")
    broken = sum(not e["ok"] for e in report)
    out.print(f"{len(report) - broken} of {len(report)} labs proven on {backend_name}.")


def proof_count(proofs: list[dict]) -> str:
    """``passed/run``, and how many this backend cannot show."""
    run = [p for p in proofs if not p["unprovable"]]
    text = f"{sum(p['ok'] for p in run)}/{len(run)}"
    return text + (f" (+{len(proofs) - len(run)} not provable here)" if len(run) < len(proofs) else "")


def write_junit(report: list[dict], backend_name: str, path: Path) -> None:
    suite = ET.Element("testsuite", name=f"labs-{backend_name}",
                       tests=str(sum(len(e["proofs"]) for e in report)),
                       failures=str(sum(not p["ok"] for e in report for p in e["proofs"])))
    for entry in report:
        for proof in entry["proofs"]:
            case = ET.SubElement(suite, "testcase", classname=entry["id"], name=proof["name"])
            if not proof["ok"]:
                ET.SubElement(case, "failure", message=proof["sentence"])
            elif proof["unprovable"]:
                ET.SubElement(case, "skipped", message=proof["sentence"])
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
