"""The declared capability matrix is measured, not hoped: one probe per service and feature.

For every backend that can start here (moto; ministack, which the runner installs
on first use; LocalStack's core once installed, or with LABS_TEST_LOCALSTACK=1
and a Python 3.13, as in CI), each probe must succeed exactly when
the backend declares the service or feature.  A declaration that goes stale
when an emulator changes fails here, naming the backend and the capability.
"""

from __future__ import annotations

import os

import pytest

from labrunner.backends import BACKENDS
from labrunner.backends.localstack import python313
from labrunner.backends.ministack import ministack_python
from labrunner.capabilities import FEATURES, support
from labrunner.catalog import load
from labrunner.sandbox import Aws, Sandbox
from tests.engine.capability_probes import FEATURE_PROBES, SERVICE_CALLS, emulator, service

# ministack is installed by the runner on first use; LocalStack's core once someone installed it, or under
# LABS_TEST_LOCALSTACK=1 (as in CI) where a Python 3.13 lets the runner install it.
LOCALSTACK_WANTED = os.environ.get("LABS_TEST_LOCALSTACK") == "1" and python313() is not None
STARTABLE = ["moto", "ministack"] + (["localstack"] if BACKENDS["localstack"].installed() or LOCALSTACK_WANTED else [])
# Wipes every account, and takes 19 s on a moto that has served 29 services (40 ms when fresh): own server.
OWN_SERVER = ("state_reset",)
PROBES = [(b, "service", s) for b in STARTABLE for s in sorted(SERVICE_CALLS)]
PROBES += [(b, "feature", f) for b in STARTABLE for f in FEATURE_PROBES]


@pytest.fixture(scope="module")
def servers():
    """One private server per backend, started on first use, stopped at the end of the module."""
    started, stacks = {}, []

    def get(name):
        if name == "ministack":
            ensure_ministack()
        if name not in started:
            stack = emulator(name)
            started[name] = stack.__enter__()
            stacks.append(stack)
        return started[name]

    yield get
    for stack in reversed(stacks):
        stack.__exit__(None, None, None)


def ensure_ministack() -> None:
    try:
        ministack_python(install=True)
    except Exception as exc:
        pytest.skip(f"ministack could not be installed here ({exc}); let pip reach PyPI.")


def sandbox_aws(backend) -> Aws:
    account = backend.mint_sandbox()
    info = backend.require()
    sandbox = Sandbox(lab_id="capability-probe", backend=backend.name, endpoint=backend.endpoint,
                      boot_id=info.get("boot_id", ""), account_id=account.account_id, learner=account.learner,
                      checker=account.checker)
    return Aws(sandbox, backend)


def outcome(probe, aws) -> tuple[bool, str]:
    try:
        return bool(probe(aws)), "the probe answered False"
    except Exception as exc:  # an error answer is "not served"
        return False, f"{type(exc).__name__}: {str(exc)[:200]}"


@pytest.mark.parametrize(("backend", "kind", "name"), PROBES, ids=[f"{b}-{n}" for b, _, n in PROBES])
def test_declared_matrix_matches_the_probe(servers, backend, kind, name):
    probe = FEATURE_PROBES[name] if kind == "feature" else (lambda aws: service(aws, name))
    if backend == "ministack":
        ensure_ministack()
    if name in OWN_SERVER:
        with emulator(backend) as server:
            works, why = outcome(probe, sandbox_aws(server))
    else:
        works, why = outcome(probe, sandbox_aws(servers(backend)))
    declared = BACKENDS[backend].serves(name)
    assert works == declared, (f"{backend} declares {name} {'served' if declared else 'not served'}, "
                               f"but the probe {'works' if works else 'fails'} ({why}).")


def test_every_feature_has_a_probe_and_every_need_is_known():
    assert set(FEATURE_PROBES) == set(FEATURES)
    known = set(FEATURES) | set(SERVICE_CALLS)
    for lab in load().labs:
        for backend_cls in BACKENDS.values():
            support(lab, backend_cls)  # the checker module's declarations parse
        module = lab.check_module()
        needs = [*lab.services, *getattr(module, "LAB_NEEDS", ())]
        needs += [n for step in getattr(module, "STEP_NEEDS", {}).values() for n in step]
        unknown = {one for need in needs for one in need.split("|")} - known
        assert not unknown, f"{lab.id} needs {sorted(unknown)}, which no probe knows."


def test_moto_grades_every_lab_at_least_partly():
    assert all(support(lab, BACKENDS["moto"]).status != "unavailable" for lab in load().labs)


def test_readme_shows_the_declared_matrix():
    from labrunner.commands.backends import END, START, markdown_table
    from labrunner.paths import ROOT

    readme = (ROOT / "README.md").read_text()
    shown = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert shown == markdown_table(), "run `python -m labrunner.commands.backends` to refresh README.md"
