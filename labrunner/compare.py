"""Your calls beside the reference solution's, read from the call journal."""

from __future__ import annotations

import hashlib
import itertools

from . import paths
from .sandbox import Aws
from .sandboxes import new_sandbox
from .store import JsonStore


def collapsed(operations: list[str]) -> list[str]:
    """Runs of one operation as one line: `UploadPart ×3`."""
    lines = []
    for operation, run in itertools.groupby(operations):
        count = len(list(run))
        lines.append(operation if count == 1 else f"{operation} ×{count}")
    return lines


def learner_calls(aws: Aws) -> list[str]:
    return collapsed([f"{c.service}:{c.operation}" for c in aws.journal.calls(succeeded=True)])


def reference_calls(lab, backend) -> list[str]:
    """The reference's calls, from a scratch sandbox; cached per solution version."""
    digest = hashlib.sha256(lab.solution_path.read_bytes()).hexdigest()[:16]
    cache = JsonStore(paths.state_dir() / "reference-calls.json")
    key = f"{lab.id}:{backend.name}:{digest}"
    known = cache.read().get(key)
    if known is not None:
        return known
    sandbox = new_sandbox(lab, backend)
    lab.solution_module().solve(Aws(sandbox, backend, as_learner=True, code_path=lab.solution_path))
    calls = learner_calls(Aws(sandbox, backend))
    with cache.update() as data:
        data[key] = calls
    return calls


def side_by_side(mine: list[str], reference: list[str]) -> list[list[str]]:
    return [[a, b] for a, b in itertools.zip_longest(mine, reference, fillvalue="")]
