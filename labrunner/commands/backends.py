"""``inv backends``: the capability matrix, and how many labs each backend grades."""

from __future__ import annotations

from ..backends import BACKENDS
from ..capabilities import FEATURES, FULL, PARTLY, UNAVAILABLE, matrix, support
from ..catalog import load
from ..render import as_json, out, table


def lab_counts(backend_cls) -> dict:
    counts = {FULL: 0, PARTLY: 0, UNAVAILABLE: 0}
    for lab in load().labs:
        counts[support(lab, backend_cls).status] += 1
    return counts


def report() -> dict:
    data = matrix(BACKENDS.values())
    for name, cls in BACKENDS.items():
        data[name].update(installed=cls.installed(), labs=lab_counts(cls))
    return {"backends": data, "features": FEATURES}


def rows(data: dict) -> list[list[str]]:
    names = list(data["backends"])
    services = sorted({s for b in data["backends"].values() for s in b["services"]})
    mark = {True: "[green]✔[/]", False: "[dim]·[/]"}
    lines = [[f"service {s}", *(mark[s in data["backends"][n]["services"]] for n in names)] for s in services]
    lines += [[feature, *(mark[feature in data["backends"][n]["features"]] for n in names)] for feature in FEATURES]
    lines.append(["labs: full / partly / not available",
                  *(f"{c[FULL]} / {c[PARTLY]} / {c[UNAVAILABLE]}" for c in
                    (data["backends"][n]["labs"] for n in names))])
    return lines


def show(json_output: bool = False) -> None:
    data = report()
    if json_output:
        as_json(data)
        return
    table("Backends: what each one really serves (measured)", ["", *data["backends"]], rows(data))
    for name, entry in data["backends"].items():
        ready = "" if entry["installed"] else " (not installed yet)"
        out.print(f"[bold]{name}[/]{ready}: {entry['notes']}")
    out.print("`inv labs --backend NAME` says which labs a backend grades fully, partly or not at all.")


START, END = "<!-- backends:start -->", "<!-- backends:end -->"


def markdown_table() -> str:
    """The matrix for the README (services and features; lab counts change too often to print there)."""
    classes = list(BACKENDS.values())
    lines = ["| | " + " | ".join(c.name for c in classes) + " |", "|---|" + "---|" * len(classes)]
    services = sorted({s for c in classes for s in c.services})
    mark = {True: "✔", False: "·"}
    lines.append("| **services** | " + " | ".join(str(len(c.services)) for c in classes) + " |")
    lines += [f"| {s} | " + " | ".join(mark[s in c.services] for c in classes) + " |" for s in services]
    lines.append("| **features** | " + " | ".join("" for _ in classes) + " |")
    lines += [f"| `{f}`: {FEATURES[f]} | " + " | ".join(mark[f in c.capabilities] for c in classes) + " |"
              for f in FEATURES]
    return "\n".join(lines)


def write_readme() -> None:
    import re

    from ..paths import ROOT

    path = ROOT / "README.md"
    text = path.read_text()
    block = f"{START}\n{markdown_table()}\n{END}"
    path.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.DOTALL))


if __name__ == "__main__":
    write_readme()
