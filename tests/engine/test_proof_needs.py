"""Near-misses and alternatives that need what a backend lacks are "not provable here", never passed or failed.

A mistake that only the call journal can see, or that only an emulator with
AWS's own default shows, declares ``needs``; on a backend without it the proof
says why and is reported apart (pytest skips it with that sentence, `inv verify`
counts it separately).  A near-miss whose target step is NOT VERIFIABLE on the
backend is reported the same way.
"""

from __future__ import annotations

import pytest

from labrunner.capabilities import FEATURES
from labrunner.catalog import load
from labrunner.commands.verify import proof_count
from labrunner.proof import Alternative, NearMiss, lab_attempts, prove_alternative, prove_near_miss
from tests.engine.capability_probes import SERVICE_CALLS


def never_applied(aws):
    raise AssertionError("an attempt the backend cannot show must not run")


def test_a_near_miss_needing_a_missing_feature_is_not_provable_and_never_runs(emulator):
    miss = NearMiss("needs Lambda", step=1, expect="anything", apply=never_applied, needs=("lambda_execution",))
    outcome = prove_near_miss(load().get("s3-multipart-upload"), emulator, miss)
    assert outcome.unprovable and outcome.ok and outcome.result is None
    assert outcome.sentence == "needs Lambda Invoke running Python handlers, which moto does not serve"


def test_an_alternative_needing_a_served_feature_is_proven_as_usual(emulator):
    lab = load().get("s3-multipart-upload")
    outcome = prove_alternative(lab, emulator, Alternative("the reference", needs=("journal", "s3")))
    assert outcome.ok and not outcome.unprovable, outcome.sentence


def test_a_near_miss_on_a_step_the_backend_cannot_verify_is_not_provable(emulator):
    lab = load().get("apigw-rest-stages")  # step 5 calls the deployed stage, which moto cannot serve
    outcome = prove_near_miss(lab, emulator, NearMiss("reference, step 5", step=5, expect="anything"))
    assert outcome.unprovable and outcome.sentence.startswith("step 5 is not verifiable on moto: ")


def test_verify_counts_unprovable_proofs_apart():
    proofs = [{"ok": True, "unprovable": False}, {"ok": False, "unprovable": False},
              {"ok": True, "unprovable": True}]
    assert proof_count(proofs) == "1/2 (+1 not provable here)"
    assert proof_count(proofs[:2]) == "1/2"


@pytest.mark.parametrize("lab", load().labs, ids=lambda lab: lab.id)
def test_every_declared_need_of_an_attempt_is_known(lab):
    near_misses, alternatives = lab_attempts(lab)
    needs = {one for attempt in [*near_misses, *alternatives] for need in attempt.needs for one in need.split("|")}
    assert not needs - set(FEATURES) - set(SERVICE_CALLS), f"{lab.id}: unknown needs {needs}"
