"""``inv doctor``: the machine's readiness for the labs, one sentence per finding."""

from __future__ import annotations

from .. import doctor
from ..render import as_json, out

MARKS = {doctor.OK: "[green]✔[/]", doctor.WARN: "[yellow]![/]", doctor.FAIL: "[red]✘[/]", doctor.INFO: "[dim]·[/]"}


def run(json_output: bool = False) -> int:
    findings = doctor.examine()
    failing = [f for f in findings if f.level == doctor.FAIL]
    if json_output:
        as_json({"findings": [vars(f) for f in findings], "ready": not failing})
    else:
        for finding in findings:
            out.print(f"{MARKS[finding.level]} [bold]{finding.topic}[/]: {finding.sentence}")
        out.print("[green]Ready for the labs.[/]" if not failing else
                  f"[red]{len(failing)} problem(s) to fix before the labs work.[/]")
    return 1 if failing else 0
