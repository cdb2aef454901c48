"""Benchmarks of the learner's loop and the catalogue, each figure beside its goal.

Run: `python bench/run.py [--repeat N] [--quick]` (or `inv bench`). Prints a
table and writes bench/results.json. Figures are medians of N runs (5 by
default); ratios are taken within one run. Nothing here is asserted by the
test suite: performance is measured, never timed in tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import probes  # noqa: E402
from labrunner.catalog import load  # noqa: E402
from labrunner.commands.verify import private_state  # noqa: E402
from labrunner.proof import prove_catalogue  # noqa: E402

RESULTS = Path(__file__).with_name("results.json")
MB = 1024 * 1024


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def row(name: str, figure: float, unit: str, goal: float | None, note: str = "") -> dict:
    return {"measure": name, "figure": round(figure, 3), "unit": unit, "goal": goal,
            "met": None if goal is None else figure <= goal, "note": note}


def start_rows(repeat: int) -> list[dict]:
    return [row("emulator start, in-process (tests)", median(probes.in_process_start(repeat)), "s", 1.0),
            row("emulator start, `inv up` end to end", median(probes.inv_up(repeat)), "s", 1.0)]


def check_rows(repeat: int) -> list[dict]:
    checks, bare = probes.check_and_bare_call(repeat)
    ratio = median(checks) / median(bare)
    return [row("`inv lab.check` wall time, warm emulator", median(checks), "s", None),
            row("bare boto3 process, one call", median(bare), "s", None),
            row("`inv lab.check` / bare boto3 call", ratio, "x", 1.3)]


def per_lab_rows(repeat: int) -> tuple[list[dict], dict]:
    per_lab = {lab: median(samples) for lab, samples in probes.check_per_lab(repeat).items()}
    slowest = sorted(per_lab.items(), key=lambda item: item[1], reverse=True)[:5]
    note = ", ".join(f"{lab} {seconds * 1000:.0f} ms" for lab, seconds in slowest)
    return [row("slowest in-process check (of every lab)", slowest[0][1] * 1000, "ms", 100.0, note)], per_lab


def catalogue_rows(workers: int) -> list[dict]:
    labs = list(load().labs)
    with tempfile.TemporaryDirectory() as tmp, private_state(tmp), probes.private_emulator() as (backend, process):
        started = time.perf_counter()
        proven = prove_catalogue(labs, backend, workers)
        elapsed = time.perf_counter() - started
        rss = probes.rss_bytes(process.pid)
    broken = [lab for lab, (outcomes, _) in proven.items() if not all(o.ok for o in outcomes)]
    proofs = sum(len(outcomes) for outcomes, _ in proven.values())
    slowest = sorted(proven.items(), key=lambda item: item[1][1], reverse=True)[:5]
    note = (f"{len(labs)} labs, {proofs} proofs, {workers} at once; slowest labs: "
            + ", ".join(f"{lab} {seconds:.0f} s" for lab, (_, seconds) in slowest)
            + (f"; not proven: {broken}" if broken else ""))
    return [row("whole catalogue self-test", elapsed, "s", 60.0, note),
            row("emulator memory after the catalogue", rss / MB, "MB", 400.0)]


def watch_rows(repeat: int) -> list[dict]:
    return [row("watch: save to redrawn result", median(probes.watch_latency(repeat)), "s", 1.0)]


def backend_rows() -> list[dict]:
    """Each other backend's solve-and-check time over the labs it and moto both grade fully, as a ratio."""
    names, left_out = probes.startable_backends()
    seconds = {name: {lab: median(samples) for lab, samples in probes.reference_round_trips(name).items()}
               for name in names}
    rows = []
    for name in names[1:]:
        common = sorted(set(seconds[name]) & set(seconds["moto"]))
        if not common:
            continue
        ratio = sum(seconds[name][lab] for lab in common) / sum(seconds["moto"][lab] for lab in common)
        slowest = max(common, key=lambda lab: seconds[name][lab] / seconds["moto"][lab])
        rows.append(row(f"{name} / moto: solve + check, same labs (medians of 3)", ratio, "x", None,
                        f"{len(common)} labs; moto {sum(seconds['moto'][lab] for lab in common):.1f} s in all; "
                        f"largest ratio {slowest} {seconds[name][slowest] / seconds['moto'][slowest]:.1f}x"))
    rows += [row(f"{name} / moto", 0.0, "x", None, f"not measured: {why}") for name, why in left_out.items()]
    return rows


def show(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    grid = Table(title="AWS labs benchmarks", title_justify="left")
    for column in ("measure", "figure", "goal", "met", "note"):
        grid.add_column(column)
    for r in rows:
        goal = "" if r["goal"] is None else f"≤ {r['goal']:g} {r['unit']}"
        met = "" if r["met"] is None else ("[green]yes[/]" if r["met"] else "[red]no[/]")
        grid.add_row(r["measure"], f"{r['figure']:g} {r['unit']}", goal, met, r["note"])
    Console().print(grid)


def machine() -> dict:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": probes.cpu_count(),
            "processor": platform.processor() or platform.machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4, help="proofs at once in the catalogue self-test")
    parser.add_argument("--quick", action="store_true", help="skip the catalogue self-test and the other backends")
    options = parser.parse_args()
    rows = start_rows(options.repeat) + check_rows(options.repeat)
    lab_rows, per_lab = per_lab_rows(options.repeat)
    rows += lab_rows + watch_rows(options.repeat)
    if not options.quick:
        rows += catalogue_rows(options.workers) + backend_rows()
    show(rows)
    RESULTS.write_text(json.dumps({"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                   "rows": rows, "check_per_lab_ms": {k: round(v * 1000, 1)
                                                                      for k, v in per_lab.items()}},
                                  indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
