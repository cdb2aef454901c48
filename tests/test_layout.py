"""The catalogue contract: every lab has all its files, nothing stray, ids valid and unique."""

import ast
from pathlib import Path

import pytest

from labrunner.catalog import KINDS, LAB_ID, ROOT, load
from labrunner.proof import lab_attempts

CATALOG = load()
LABS = CATALOG.labs
ids = [lab.id for lab in LABS]


def test_ids_are_unique_and_valid():
    assert len(ids) == len(set(ids)), "duplicate lab ids in labs/manifest.toml"
    assert [i for i in ids if not LAB_ID.match(i)] == []


@pytest.mark.parametrize("lab", LABS, ids=ids)
def test_lab_has_text_solution_check_and_near_misses(lab):
    assert lab.section in CATALOG.sections, f"{lab.id}: unknown section {lab.section}"
    assert lab.kind in KINDS
    for path in (lab.text_path, lab.solution_path, lab.check_path, lab.test_path):
        assert path.exists(), f"{lab.id}: missing {path.relative_to(ROOT)}"
    near_misses, alternatives = lab_attempts(lab)
    assert near_misses, f"{lab.id}: its test declares no NEAR_MISSES"
    assert alternatives, f"{lab.id}: its test declares no ALTERNATIVES (another correct way the checker accepts)"
    assert (ROOT / "labs" / lab.section / "README.md").exists(), f"section {lab.section} has no README.md"


@pytest.mark.parametrize("lab", LABS, ids=ids)
def test_lab_text_has_steps_done_when_and_a_hint_ladder(lab):
    text = lab.text()
    numbers = [s.number for s in lab.steps()]
    assert numbers == list(range(1, len(numbers) + 1)), f"{lab.id}: steps must be numbered 1..n"
    assert "## Done when" in text
    assert len(lab.hints()) >= 3, f"{lab.id}: the hint ladder needs at least three rungs"
    assert text.startswith("# ")


@pytest.mark.parametrize("lab", LABS, ids=ids)
def test_solution_and_check_define_their_functions(lab):
    for path, name in ((lab.solution_path, "solve"), (lab.check_path, "check")):
        tree = ast.parse(path.read_text())
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert name in names, f"{path.relative_to(ROOT)} defines no {name}()"
    if lab.kind == "code":
        assert lab.starter_path.exists(), f"{lab.id} is a code lab without {lab.starter_path.relative_to(ROOT)}"


@pytest.mark.parametrize("lab", LABS, ids=ids)
def test_placeholders_name_real_resources(lab):
    import re

    used = set(re.findall(r"\{\{(\w+)\}\}", lab.text()))
    assert used <= set(lab.names), f"{lab.id}: text uses undefined names {sorted(used - set(lab.names))}"


def allowed_files():
    allowed = {ROOT / "labs" / "manifest.toml", ROOT / "labs" / "README.md"}
    for section in CATALOG.sections:
        allowed.add(ROOT / "labs" / section / "README.md")
    for lab in LABS:
        allowed |= {lab.text_path, lab.starter_path, lab.solution_path, lab.check_path, lab.test_path}
    for folder in ("solutions", "checks", "tests/labs"):
        allowed.add(ROOT / folder / "__init__.py")
    return allowed


@pytest.mark.parametrize("folder", ["labs", "solutions", "checks", "tests/labs"])
def test_no_stray_files(folder):
    present = {p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    stray = sorted(str(p.relative_to(ROOT)) for p in present - allowed_files())
    assert stray == [], f"files that belong to no lab: {stray}"
