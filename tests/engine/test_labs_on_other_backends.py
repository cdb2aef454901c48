"""The catalogue beside moto: every lab ministack (and LocalStack's core) can grade is proven there too.

Labs the matrix declares unavailable on a backend are not run (``inv labs
--backend NAME`` says why).  For the others every proof runs, as on moto: a
fresh sandbox fails, the reference passes (twice), each near-miss fails on its
step with its message and each alternative passes.  A step that comes out NOT
VERIFIABLE must be one the checker declares (``STEP_NEEDS``) for a feature the
backend lacks, and a near-miss or alternative that needs such a feature
(``needs``) is counted as not provable there, so nothing is skipped silently.
The proofs of one backend run concurrently on one private server (each in its
own sandbox account) to keep CI short; per-backend figures are printed under
"reliability figures".  ministack is installed into the runner's own
environment on first use (about 20 s; it pins an older botocore than the
project's).  LocalStack's core takes minutes, so it runs only with
LABS_TEST_LOCALSTACK=1 (and Python 3.13), and is skipped with the reason
otherwise.
"""

from __future__ import annotations

import os

import pytest

from labrunner.backends import BACKENDS
from labrunner.backends.localstack import python313
from labrunner.backends.ministack import ministack_python
from labrunner.capabilities import UNAVAILABLE, support
from labrunner.catalog import load
from labrunner.grading import Status
from labrunner.proof import prove_catalogue
from tests.engine.capability_probes import emulator

WORKERS = 8
CASES = [(name, lab) for name in ("ministack", "localstack") for lab in load().labs
         if support(lab, BACKENDS[name]).status != UNAVAILABLE]


def prepare(name: str) -> None:
    """Install the backend if the runner can, or skip with the reason."""
    if name == "ministack":
        try:
            ministack_python(install=True)
        except Exception as exc:
            pytest.skip(f"ministack could not be installed here ({exc}); let pip reach PyPI.")
    elif python313() is None:
        pytest.skip("no Python 3.13 here, so LocalStack's core cannot run on the host")
    elif os.environ.get("LABS_TEST_LOCALSTACK") != "1":
        pytest.skip("LocalStack's core proofs take minutes: set LABS_TEST_LOCALSTACK=1 to run them "
                    "(they install the core once, Python 3.13)")


@pytest.fixture(scope="module")
def proofs(reliability_figures, labs_state_dir):
    done: dict[str, dict] = {}
    skipped: dict[str, str] = {}

    def of(name: str) -> dict:
        if name in skipped:
            pytest.skip(skipped[name])
        if name not in done:
            done[name] = {}
            try:
                prepare(name)
            except pytest.skip.Exception as exc:
                skipped[name] = str(exc.msg)
                raise
            labs = [lab for backend, lab in CASES if backend == name]
            with emulator(name) as backend:
                proven = prove_catalogue(labs, backend, WORKERS)
                done[name] = {lab_id: outcomes for lab_id, (outcomes, _) in proven.items()}
            report(name, done[name], reliability_figures)
        return done[name]

    return of


def report(name: str, results: dict, figures) -> None:
    outcomes = [o for found in results.values() for o in found]
    for lab_id, found in results.items():
        reference = next((o for o in found if o.name == "reference passes" and o.result), None)
        skipped = [s.number for s in reference.result.steps if s.status is Status.NOT_VERIFIABLE] if reference else []
        if skipped:
            figures.add(f"{name} {lab_id}", f"steps {skipped} not verifiable")
    proven = sum(o.ok and not o.unprovable for o in outcomes)
    figures.add(f"{name} labs proven", f"{len(results)} of {len(load().labs)} labs (the rest are declared "
                f"unavailable there); {proven} of {len(outcomes)} proofs hold, "
                f"{sum(o.unprovable for o in outcomes)} not provable there, {sum(not o.ok for o in outcomes)} broken")


@pytest.mark.parametrize(("backend", "lab"), CASES, ids=[f"{b}-{lab.id}" for b, lab in CASES])
def test_lab_on_backend(proofs, backend, lab):
    outcomes = proofs(backend).get(lab.id)
    assert outcomes is not None, f"{lab.id} on {backend}: the proofs did not run (see the first failure)"
    broken = [f"{o.name}: {o.sentence}" for o in outcomes if not o.ok]
    assert not broken, f"{lab.id} on {backend}: {broken}"
    reference = next(o for o in outcomes if o.name == "reference passes")
    declared = support(lab, BACKENDS[backend]).steps
    skipped = {s.number: s.message for s in reference.result.steps if s.status is Status.NOT_VERIFIABLE}
    undeclared = {n: m for n, m in skipped.items() if n not in declared}
    assert not undeclared, (f"{lab.id} on {backend}: steps {sorted(undeclared)} were not verifiable but the "
                            f"checker declares no need {backend} lacks for them: {undeclared}")
