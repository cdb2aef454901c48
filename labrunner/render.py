"""Everything the learner sees in the terminal, drawn with rich."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from .grading import LabResult, Status

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

MARKS = {
    Status.PASS: "[green]✔[/]",
    Status.FAIL: "[red]✘[/]",
    Status.ERROR: "[yellow]![/]",
    Status.NOT_VERIFIABLE: "[dim]–[/]",
}


def say(message: str) -> None:
    """A side remark: on stderr, so that stdout stays clean for eval and --json."""
    err.print(message)


def lab_text(markdown: str) -> None:
    from rich.markdown import Markdown  # markdown-it and pygments: only the commands that show a lab pay

    out.print(Markdown(markdown), soft_wrap=False)


def result(res: LabResult) -> None:
    for step in res.steps:
        label = "" if step.status in (Status.PASS, Status.FAIL) else f"[dim]{step.status.value}:[/] "
        out.print(f"{MARKS[step.status]} {step.number}. [bold]{step.title}[/] — {label}{step.message}",
                  soft_wrap=True)
    done, total = res.score
    verdict = "[green]passed[/]" if res.passed else "[red]not yet[/]"
    skipped = len(res.steps) - total
    extra = f", {skipped} not verifiable on {res.backend}" if skipped else ""
    out.print(f"[bold]{res.lab_id}[/]: {done}/{total} steps{extra} — {verdict}")


def as_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")


def code(path, title: str) -> None:
    from rich.syntax import Syntax

    out.print(Panel(Syntax(path.read_text(), "python", line_numbers=True), title=title, expand=False))


def output_panel(text: str, title: str) -> None:
    if text.strip():
        out.print(Panel(text.rstrip(), title=title, border_style="dim", expand=False))


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, no_wrap=column in ("id", "lab", "status", "best", "result", "yours"))
    for row in rows:
        grid.add_row(*row)
    out.print(grid)
