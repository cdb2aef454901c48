"""Helpers for ``tests/labs/test_<lab_id>.py``: near-miss and alternative tests.

A lab's test module declares its attempts as data, so ``inv verify`` can run
them too, and turns them into pytest tests::

    NEAR_MISSES = [NearMiss("one PutObject", step=2, expect="PutObject", apply=single_put,
                            needs=("journal",))]  # not provable where the backend keeps no journal
    ALTERNATIVES = [Alternative("resource API", apply=with_resource_api)]
    test_near_miss = near_miss_test("s3-multipart-upload", NEAR_MISSES)
    test_alternative = alternative_test("s3-multipart-upload", ALTERNATIVES)
"""

from __future__ import annotations

import pytest

from .capabilities import UNAVAILABLE, missing_sentence, support, unmet
from .catalog import load
from .proof import Alternative, NearMiss, prove_alternative, prove_near_miss

__all__ = ["Alternative", "NearMiss", "alternative_test", "near_miss_test", "require"]


def require(backend, *needs: str) -> None:
    """Skip, with the matrix's sentence, a test that needs what ``backend`` does not serve."""
    gaps = unmet(type(backend), needs)
    if gaps:
        pytest.skip(f"this test {missing_sentence(gaps, backend.name)}")


def available_lab(lab_id: str, emulator):
    """The lab, or a skip (with the matrix's reason) on a backend that cannot grade any of it."""
    lab = load().get(lab_id)
    found = support(lab, type(emulator))
    if found.status == UNAVAILABLE:
        pytest.skip(f"{lab_id} is not available on {emulator.name}: {'; '.join(found.reasons)}")
    return lab


def skip_unprovable(outcome) -> None:
    if outcome.unprovable:
        pytest.skip(f"{outcome.name!r} is not provable here: {outcome.sentence}")


def near_miss_test(lab_id: str, near_misses: list[NearMiss]):
    @pytest.mark.parametrize("near_miss", near_misses, ids=[m.name for m in near_misses])
    def test_near_miss(emulator, near_miss):
        outcome = prove_near_miss(available_lab(lab_id, emulator), emulator, near_miss)
        skip_unprovable(outcome)
        assert outcome.ok, outcome.sentence

    return test_near_miss


def alternative_test(lab_id: str, alternatives: list[Alternative]):
    @pytest.mark.parametrize("alternative", alternatives, ids=[a.name for a in alternatives])
    def test_alternative(emulator, alternative):
        outcome = prove_alternative(available_lab(lab_id, emulator), emulator, alternative)
        skip_unprovable(outcome)
        assert outcome.ok, outcome.sentence

    return test_alternative
