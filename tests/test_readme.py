"""The README stays true: two quick-start commands, every lab in the table, every task documented."""

import re

from labrunner.paths import ROOT
from labrunner.readme_table import table, table_in

README = (ROOT / "README.md").read_text()


def test_quick_start_is_exactly_two_commands():
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", README, re.DOTALL).group(1)
    assert len(block.strip().splitlines()) == 2
    assert block.strip().splitlines()[1] == "pytest"


def test_ci_runs_the_readme_test_command():
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("pytest")


def test_lab_table_lists_every_lab():
    assert table_in(README) == table(), "run `python -m labrunner.readme_table` to refresh README.md"


def test_every_task_is_documented():
    tasks = ["up", "status", "down", "labs", "verify", "lab.start", "lab.env", "lab.check", "lab.run",
             "lab.hint", "lab.solution", "lab.solve", "lab.reset"]
    assert [t for t in tasks if f"`inv {t}" not in README] == []
