"""Step results and the rules that turn a checker's output into a grade.

A checker is a generator of results, one per lab step::

    def check(aws):
        yield from steps(aws, bucket_exists, object_is_multipart)

``steps`` runs each step function on its own, so one that raises becomes an
ERROR with a sentence and the others are still graded.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from .errors import EmulatorDown
from .harness import LearnerCodeError
from .journal import JournalUnavailable


class Status(str, enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    NOT_VERIFIABLE = "NOT VERIFIABLE"


@dataclass
class Result:
    status: Status
    message: str
    hint: str | None = None


def passed(message: str) -> Result:
    return Result(Status.PASS, message)


def failed(message: str, hint: str | None = None) -> Result:
    return Result(Status.FAIL, message, hint)


def not_verifiable(message: str) -> Result:
    return Result(Status.NOT_VERIFIABLE, message)


def error(message: str) -> Result:
    return Result(Status.ERROR, message)


@dataclass
class StepResult:
    number: int
    title: str
    status: Status
    message: str
    hint: str | None = None

    def to_dict(self) -> dict:
        return {"number": self.number, "title": self.title, "status": self.status.value,
                "message": self.message, "hint": self.hint}


@dataclass
class LabResult:
    lab_id: str
    backend: str
    steps: list[StepResult] = field(default_factory=list)

    @property
    def verifiable(self) -> list[StepResult]:
        return [s for s in self.steps if s.status is not Status.NOT_VERIFIABLE]

    @property
    def score(self) -> tuple[int, int]:
        return sum(s.status is Status.PASS for s in self.verifiable), len(self.verifiable)

    @property
    def passed(self) -> bool:
        done, total = self.score
        return total > 0 and done == total

    def first_failing(self) -> StepResult | None:
        return next((s for s in self.verifiable if s.status is not Status.PASS), None)

    def to_dict(self) -> dict:
        done, total = self.score
        return {"lab": self.lab_id, "backend": self.backend, "passed": self.passed,
                "score": {"passed": done, "verifiable": total, "steps": len(self.steps)},
                "steps": [s.to_dict() for s in self.steps]}


MAX_DETAIL = 300


def one_line(text: str, limit: int = MAX_DETAIL) -> str:
    """``text`` on one line, without a final full stop, at most ``limit`` characters."""
    text = " ".join(str(text).split()).rstrip(".")
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def describe_exception(exc: BaseException) -> str:
    """One clause (no final full stop) for an exception raised while grading."""
    if isinstance(exc, ClientError):
        op = exc.operation_name
        err = exc.response.get("Error", {})
        code, message = err.get("Code") or "an error", err.get("Message") or ""
        if message.lstrip().startswith("<"):  # an XML error body botocore could not take apart
            found = {tag: re.search(rf"<{tag}>(.*?)</{tag}>", message, re.DOTALL) for tag in ("Code", "Message")}
            code = found["Code"].group(1) if found["Code"] else code
            message = found["Message"].group(1) if found["Message"] else ""
        message = one_line(message)
        return one_line(f"the emulator answered {op} with {code}" + (f": {message}" if message else ""))
    if isinstance(exc, ResponseParserError):
        return "the emulator sent an answer that is not valid for this AWS API (a server error?)"
    if isinstance(exc, LearnerCodeError):
        return one_line(exc.sentence)
    return one_line(f"{type(exc).__name__}: {exc}")


def run_step(aws, function) -> Result:
    try:
        result = function(aws)
    except EndpointConnectionError:
        raise EmulatorDown(aws.endpoint) from None
    except EmulatorDown:  # the journal could not be read: no step can be graded
        raise
    except JournalUnavailable:
        return not_verifiable(f"This step reads the call journal, which the {aws.backend.name} backend does not keep.")
    except LearnerCodeError as exc:
        if exc.emulator_fault:  # not the learner's mistake: no FAIL for it
            return error(f"This step could not be graded: the emulator failed while your code ran "
                         f"({one_line(exc.sentence)}).")
        return failed(f"{one_line(exc.sentence)}.")
    except (ClientError, BotoCoreError, Exception) as exc:  # a checker bug or an emulator surprise
        return error(f"This step could not be graded: {describe_exception(exc)}.")
    return checked_result(result, getattr(function, "__name__", "step"))


def checked_result(result, where: str) -> Result:
    """``result`` if it is a usable Result, else an ERROR saying what the checker gave."""
    if not isinstance(result, Result):
        return error(f"The checker's step {where} returned {type(result).__name__}, not a result.")
    if not isinstance(result.status, Status) or not isinstance(result.message, str) or not result.message.strip():
        return error(f"The checker's step {where} gave a result without a status and a message.")
    return result


def steps(aws, *functions):
    """Grade each step function in order, isolating failures."""
    for function in functions:
        yield run_step(aws, function)


def grade(lab, aws, backend_name: str) -> LabResult:
    """Run the lab's checker and pair its results with the lab's numbered steps."""
    titles = lab.steps(aws.names)
    outcome = LabResult(lab.id, backend_name)
    results: list[Result] = []
    try:
        for result in lab.check_module().check(aws):
            results.append(checked_result(result, f"{len(results) + 1}"))
    except EmulatorDown:
        raise
    except EndpointConnectionError:  # raised by the checker outside a step
        raise EmulatorDown(aws.endpoint) from None
    except Exception as exc:  # the checker itself broke between steps
        results.append(error(f"The checker stopped: {describe_exception(exc)}."))
    for index, step in enumerate(titles):
        result = results[index] if index < len(results) else error("The checker gave no result for this step.")
        outcome.steps.append(StepResult(step.number, step.title, result.status, result.message, result.hint))
    return outcome
