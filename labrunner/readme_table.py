"""The README's lab table, made from the manifest.

`python -m labrunner.readme_table` rewrites the table between the markers in
README.md; a test keeps the two in step.
"""

import re

from .catalog import load
from .paths import ROOT

START, END = "<!-- labs:start -->", "<!-- labs:end -->"


def table() -> str:
    catalog = load()
    lines = ["| section | lab | kind | what you practise |", "|---|---|---|---|"]
    for section in catalog.sections:
        for lab in (lab for lab in catalog.labs if lab.section == section):
            lines.append(f"| {catalog.section_title(section)} | `{lab.id}` | {lab.kind} | {lab.title} |")
    return "\n".join(lines)


def table_in(readme: str) -> str:
    match = re.search(re.escape(START) + r"\n(.*?)\n?" + re.escape(END), readme, re.DOTALL)
    return match.group(1).strip() if match else ""


def write() -> None:
    path = ROOT / "README.md"
    text = path.read_text()
    path.write_text(text.replace(f"{START}\n{table_in(text)}\n{END}" if table_in(text) else f"{START}\n{END}",
                                 f"{START}\n{table()}\n{END}"))


if __name__ == "__main__":
    write()
