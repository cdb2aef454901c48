"""Grading rules: isolated steps, sentences for errors, not-verifiable steps not counted."""

from botocore.exceptions import ClientError

from labrunner.grading import LabResult, Status, StepResult, failed, passed, run_step, steps
from labrunner.journal import JournalUnavailable


class FakeAws:
    endpoint = "http://127.0.0.1:1"

    class backend:
        name = "fake"


def raises(exc):
    def step(aws):
        raise exc
    return step


def test_a_step_that_raises_is_an_error_with_a_sentence_and_the_next_still_runs():
    results = list(steps(FakeAws(), raises(ValueError("boom")), lambda aws: passed("Bucket b exists.")))
    assert results[0].status is Status.ERROR
    assert results[0].message == "This step could not be graded: ValueError: boom."
    assert results[1].status is Status.PASS


def test_an_emulator_error_names_the_operation():
    error = ClientError({"Error": {"Code": "InternalError", "Message": "exploded."}}, "GetBucketPolicy")
    result = run_step(FakeAws(), raises(error))
    assert result.message == "This step could not be graded: the emulator answered GetBucketPolicy with InternalError: exploded."


def test_a_journal_step_without_a_journal_is_not_verifiable():
    result = run_step(FakeAws(), raises(JournalUnavailable()))
    assert result.status is Status.NOT_VERIFIABLE and "fake backend" in result.message


def test_a_step_returning_nothing_is_an_error():
    assert run_step(FakeAws(), lambda aws: None).status is Status.ERROR


def lab_result(*statuses):
    return LabResult("lab", "moto", [StepResult(i + 1, "t", s, "m.") for i, s in enumerate(statuses)])


def test_a_lab_passes_when_every_verifiable_step_passes():
    assert lab_result(Status.PASS, Status.NOT_VERIFIABLE).passed
    assert lab_result(Status.PASS, Status.NOT_VERIFIABLE).score == (1, 1)
    assert not lab_result(Status.PASS, Status.FAIL).passed
    assert not lab_result(Status.PASS, Status.ERROR).passed
    assert not lab_result(Status.NOT_VERIFIABLE).passed


def test_json_shape_is_stable():
    data = lab_result(Status.PASS, Status.FAIL).to_dict()
    assert set(data) == {"lab", "backend", "passed", "score", "steps"}
    assert data["score"] == {"passed": 1, "verifiable": 2, "steps": 2}
    assert set(data["steps"][0]) == {"number", "title", "status", "message", "hint"}
    assert failed("x.", hint="h").hint == "h"
