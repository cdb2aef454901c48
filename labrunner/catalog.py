"""The catalogue: ``labs/manifest.toml`` plus each lab's text, solution and check.

A lab ``s3-multipart-upload`` in section ``s3`` lives in
``labs/s3/s3-multipart-upload.md`` (text), optionally
``labs/s3/s3-multipart-upload.starter.py`` (workspace starter),
``solutions/s3_multipart_upload.py`` (``solve(aws)``),
``checks/s3_multipart_upload.py`` (``check(aws)``, optional ``setup(aws)``) and
``tests/labs/test_s3_multipart_upload.py`` (near-misses).
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LabError, UnknownLab
from .paths import ROOT

LAB_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
STEP_HEADING = re.compile(r"^## (\d+)\. (.+?)\s*$", re.MULTILINE)
KINDS = ("state", "code", "fix-it")


@dataclass(frozen=True)
class Step:
    number: int
    title: str


@dataclass(frozen=True)
class Lab:
    id: str
    section: str
    title: str
    kind: str
    services: tuple[str, ...]
    difficulty: int
    names: dict = field(default_factory=dict, hash=False, compare=False)
    root: Path = ROOT

    @property
    def module(self) -> str:
        return self.id.replace("-", "_")

    @property
    def text_path(self) -> Path:
        return self.root / "labs" / self.section / f"{self.id}.md"

    @property
    def starter_path(self) -> Path:
        return self.root / "labs" / self.section / f"{self.id}.starter.py"

    @property
    def solution_path(self) -> Path:
        return self.root / "solutions" / f"{self.module}.py"

    @property
    def check_path(self) -> Path:
        return self.root / "checks" / f"{self.module}.py"

    @property
    def test_path(self) -> Path:
        return self.root / "tests" / "labs" / f"test_{self.module}.py"

    @property
    def workspace_name(self) -> str:
        return f"{self.module}.py"

    def text(self) -> str:
        return self.text_path.read_text()

    def steps(self, names: dict | None = None) -> list[Step]:
        text = render_names(self.text(), names or {})
        return [Step(int(n), title) for n, title in STEP_HEADING.findall(text)]

    def hints(self) -> list[str]:
        return parse_hints(self.text())

    def rendered_text(self, names: dict) -> str:
        return render_names(self.text(), names)

    def handout(self, names: dict) -> str:
        """The text the learner reads at the start: everything but the hint ladder."""
        return re.split(r"^## Hints\s*$", self.rendered_text(names), flags=re.MULTILINE)[0].rstrip() + "\n"

    def check_module(self):
        return load_module(self.check_path, f"labs_checks.{self.module}")

    def solution_module(self):
        return load_module(self.solution_path, f"labs_solutions.{self.module}")

    def resolve_names(self, account_id: str) -> dict:
        return {key: template.format(account=account_id) for key, template in self.names.items()}


def render_names(text: str, names: dict) -> str:
    """Replace ``{{name}}`` with the sandbox's concrete names; leave the rest."""
    return re.sub(r"\{\{(\w+)\}\}", lambda m: str(names.get(m.group(1), m.group(0))), text)


def parse_hints(text: str) -> list[str]:
    """Numbered items under ``## Hints``, most gentle first; an item may span lines."""
    match = re.search(r"^## Hints\s*$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    if not match:
        return []
    items = re.split(r"^\d+\.\s+", match.group(1).strip(), flags=re.MULTILINE)
    return [" ".join(item.split()) for item in items if item.strip()]


@functools.cache
def load_module(path: Path, name: str):
    if not path.exists():
        raise LabError(f"The catalogue is missing {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}.")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Catalog:
    sections: dict
    labs: tuple[Lab, ...]

    def ids(self) -> list[str]:
        return [lab.id for lab in self.labs]

    def get(self, lab_id: str) -> Lab:
        for lab in self.labs:
            if lab.id == lab_id or lab.module == lab_id:
                return lab
        raise UnknownLab(lab_id, difflib.get_close_matches(lab_id, self.ids(), n=3, cutoff=0.4)
                         or [i for i in self.ids() if lab_id and lab_id in i][:3])

    def section_title(self, section: str) -> str:
        return self.sections.get(section, section)


@functools.cache
def load(root: Path = ROOT) -> Catalog:
    data = tomllib.loads((root / "labs" / "manifest.toml").read_text())
    labs = tuple(
        Lab(id=entry["id"], section=entry["section"], title=entry["title"], kind=entry["kind"],
            services=tuple(entry.get("services", ())), difficulty=entry.get("difficulty", 1),
            names=dict(entry.get("names", {})), root=root)
        for entry in data.get("labs", [])
    )
    return Catalog(sections=dict(data.get("sections", {})), labs=labs)
