"""Helpers for ``tests/labs/test_<lab_id>.py``: near-miss and alternative tests.

A lab's test module declares its attempts as data, so ``inv verify`` can run
them too, and turns them into pytest tests::

    NEAR_MISSES = [NearMiss("one PutObject", step=2, expect="PutObject", apply=single_put)]
    ALTERNATIVES = [Alternative("resource API", apply=with_resource_api)]
    test_near_miss = near_miss_test("s3-multipart-upload", NEAR_MISSES)
    test_alternative = alternative_test("s3-multipart-upload", ALTERNATIVES)
"""

from __future__ import annotations

import pytest

from .capabilities import UNAVAILABLE, support
from .catalog import load
from .proof import Alternative, NearMiss, prove_alternative, prove_near_miss

__all__ = ["Alternative", "NearMiss", "alternative_test", "near_miss_test"]


def available_lab(lab_id: str, emulator):
    """The lab, or a skip (with the matrix's reason) on a backend that cannot grade any of it."""
    lab = load().get(lab_id)
    found = support(lab, type(emulator))
    if found.status == UNAVAILABLE:
        pytest.skip(f"{lab_id} is not available on {emulator.name}: {'; '.join(found.reasons)}")
    return lab


def near_miss_test(lab_id: str, near_misses: list[NearMiss]):
    @pytest.mark.parametrize("near_miss", near_misses, ids=[m.name for m in near_misses])
    def test_near_miss(emulator, near_miss):
        outcome = prove_near_miss(available_lab(lab_id, emulator), emulator, near_miss)
        assert outcome.ok, outcome.sentence

    return test_near_miss


def alternative_test(lab_id: str, alternatives: list[Alternative]):
    @pytest.mark.parametrize("alternative", alternatives, ids=[a.name for a in alternatives])
    def test_alternative(emulator, alternative):
        outcome = prove_alternative(available_lab(lab_id, emulator), emulator, alternative)
        assert outcome.ok, outcome.sentence

    return test_alternative
