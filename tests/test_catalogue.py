"""The catalogue self-test: every lab fails fresh, passes solved, passes solved twice."""

import pytest

from labrunner.catalog import load
from labrunner.proof import prove_fresh_fails, prove_reference_passes

LAB_IDS = load().ids()


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_fresh_sandbox_fails(emulator, lab_id):
    outcome = prove_fresh_fails(load().get(lab_id), emulator)
    assert outcome.ok, outcome.sentence


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_reference_passes(emulator, lab_id):
    outcome = prove_reference_passes(load().get(lab_id), emulator)
    assert outcome.ok, outcome.sentence


def sentence_problems(result):
    return [f"step {s.number}: {s.message!r}" for s in result.steps
            if not s.message.endswith(".") or "\n" in s.message or len(s.message) < 15]


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_every_result_is_one_full_sentence(emulator, lab_id):
    lab = load().get(lab_id)
    for outcome in (prove_fresh_fails(lab, emulator), prove_reference_passes(lab, emulator)):
        assert sentence_problems(outcome.result) == []
        assert len(outcome.result.steps) == len(lab.steps())


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_reference_twice_still_passes(emulator, lab_id):
    outcome = prove_reference_passes(load().get(lab_id), emulator, times=2)
    assert outcome.ok, outcome.sentence
