"""Proving a lab: the same checks for pytest and for ``inv verify``.

A lab is proven on a backend when a fresh sandbox fails its check, the
reference solution passes (twice in a row), every near-miss fails on the step
it targets with the expected message, and every alternative solution passes.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .backends.base import Backend
from .capabilities import missing_sentence, unmet
from .catalog import Lab, load_module
from .grading import LabResult, Status, grade
from .sandbox import Aws
from .sandboxes import new_sandbox


@dataclass(frozen=True)
class NearMiss:
    """A plausible wrong solution: it must fail on ``step`` with ``expect`` in the message.

    ``apply(aws)`` acts as the learner; for code labs ``code`` replaces the
    learner's file (and ``apply`` defaults to the reference ``solve``).
    ``needs`` names the capabilities (``capabilities.FEATURES`` or services)
    the mistake can only be seen or made with; on a backend lacking one the
    near-miss is not provable there, and says why.
    """

    name: str
    step: int
    expect: str
    apply: Callable | None = None
    code: str | None = None
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alternative:
    """Another correct solution the checker must accept."""

    name: str
    apply: Callable | None = None
    code: str | None = None
    needs: tuple[str, ...] = ()


@dataclass
class Outcome:
    """One proof's verdict; ``unprovable`` (with ``sentence`` saying why) when this backend cannot show it."""

    name: str
    ok: bool
    sentence: str
    result: LabResult | None = None
    unprovable: bool = False


def lacking(attempted: NearMiss | Alternative, backend: Backend) -> Outcome | None:
    """The not-provable outcome when the backend lacks something the attempt needs."""
    gaps = unmet(type(backend), attempted.needs)
    if not gaps:
        return None
    return Outcome(attempted.name, True, missing_sentence(gaps, backend.name), unprovable=True)


def attempt(lab: Lab, backend: Backend, apply: Callable | None, code: str | None = None,
            times: int = 1) -> LabResult:
    """Fresh sandbox, the learner's actions, then the check."""
    sandbox = new_sandbox(lab, backend)
    with tempfile.TemporaryDirectory() as tmp:
        code_path = lab.solution_path
        if code is not None:
            code_path = Path(tmp) / lab.workspace_name
            code_path.write_text(code)
        learner = Aws(sandbox, backend, as_learner=True, code_path=code_path)
        for _ in range(times):
            if apply is not None:
                apply(learner)
        return grade(lab, Aws(sandbox, backend, code_path=code_path), backend.name)


def reference(lab: Lab) -> Callable:
    return lab.solution_module().solve


def summary(result: LabResult) -> str:
    return "; ".join(f"{s.number} {s.status.value}: {s.message}" for s in result.steps)


def prove_fresh_fails(lab: Lab, backend: Backend) -> Outcome:
    result = attempt(lab, backend, None)
    ok = not result.passed and any(s.status is not Status.PASS for s in result.verifiable)
    return Outcome("fresh sandbox fails", ok, "" if ok else f"a fresh sandbox passed: {summary(result)}", result)


def prove_reference_passes(lab: Lab, backend: Backend, times: int = 1) -> Outcome:
    result = attempt(lab, backend, reference(lab), times=times)
    name = "reference passes" if times == 1 else f"reference applied {times}x passes"
    errors = [s for s in result.steps if s.status is Status.ERROR]
    ok = result.passed and not errors
    return Outcome(name, ok, "" if ok else f"the reference did not pass: {summary(result)}", result)


def prove_near_miss(lab: Lab, backend: Backend, miss: NearMiss) -> Outcome:
    if (unmet := lacking(miss, backend)) is not None:
        return unmet
    apply = miss.apply or (reference(lab) if miss.code is not None else None)
    result = attempt(lab, backend, apply, miss.code)
    step = next((s for s in result.steps if s.number == miss.step), None)
    if step is None:
        return Outcome(miss.name, False, f"the lab has no step {miss.step}", result)
    if step.status is Status.NOT_VERIFIABLE:
        return Outcome(miss.name, True, f"step {miss.step} is not verifiable on {backend.name}: {step.message}",
                       result, unprovable=True)
    if step.status is not Status.FAIL:
        return Outcome(miss.name, False, f"step {miss.step} was {step.status.value}, not FAIL: {step.message}", result)
    if miss.expect.lower() not in step.message.lower():
        return Outcome(miss.name, False, f"step {miss.step} failed with {step.message!r}, "
                       f"which does not mention {miss.expect!r}", result)
    return Outcome(miss.name, True, "", result)


def prove_alternative(lab: Lab, backend: Backend, alt: Alternative) -> Outcome:
    if (unmet := lacking(alt, backend)) is not None:
        return unmet
    apply = alt.apply or reference(lab)
    result = attempt(lab, backend, apply, alt.code)
    ok = result.passed
    return Outcome(alt.name, ok, "" if ok else f"a correct alternative failed: {summary(result)}", result)


def lab_attempts(lab: Lab) -> tuple[list[NearMiss], list[Alternative]]:
    """The near-misses and alternatives declared in the lab's test module."""
    if not lab.test_path.exists():
        return [], []
    module = load_module(lab.test_path, f"labs_tests.{lab.module}")
    return list(getattr(module, "NEAR_MISSES", [])), list(getattr(module, "ALTERNATIVES", []))


def proofs(lab: Lab, backend: Backend) -> list[Callable[[], Outcome]]:
    """Every proof of one lab, each independent of the others (its own fresh sandbox)."""
    near_misses, alternatives = lab_attempts(lab)
    checks = [lambda: prove_fresh_fails(lab, backend),
              lambda: prove_reference_passes(lab, backend),
              lambda: prove_reference_passes(lab, backend, times=2)]
    checks += [lambda m=m: prove_near_miss(lab, backend, m) for m in near_misses]
    checks += [lambda a=a: prove_alternative(lab, backend, a) for a in alternatives]
    return checks


def run_proof(proof: Callable[[], Outcome]) -> Outcome:
    try:
        return proof()
    except Exception as exc:  # report, never crash the whole verification
        return Outcome("proof", False, f"{type(exc).__name__}: {exc}")


def prove(lab: Lab, backend: Backend, on_outcome: Callable[[Outcome], None] = lambda o: None) -> list[Outcome]:
    """Every proof of one lab, in order."""
    outcomes = []
    for proof in proofs(lab, backend):
        outcomes.append(run_proof(proof))
        on_outcome(outcomes[-1])
    return outcomes


def prove_catalogue(labs: list[Lab], backend: Backend, workers: int = 4,
                    on_lab: Callable[[Lab], None] = lambda lab: None) -> dict[str, tuple[list[Outcome], float]]:
    """Every proof of every lab, run concurrently: sandboxes keep them apart, and most of a proof's time is
    spent waiting on the emulator or on learner subprocesses.  Returns each lab's outcomes (in order) and
    the seconds its proofs took in total."""
    def timed(proof):
        started = time.monotonic()
        return run_proof(proof), time.monotonic() - started

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {lab.id: [pool.submit(timed, proof) for proof in proofs(lab, backend)] for lab in labs}
        report = {}
        for lab in labs:
            done = [future.result() for future in futures[lab.id]]
            report[lab.id] = ([outcome for outcome, _ in done], sum(seconds for _, seconds in done))
            on_lab(lab)
    return report
