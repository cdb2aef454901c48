"""Invoke a deployed Lambda function through a backend that really runs handlers.

``invoke_on_backend`` calls ``Invoke`` (``LogType=Tail``) with the sandbox's
checker key and turns the answer into what the local runner gives: an
``Invocation`` (value, printed output, function, executed version) or a
``LearnerCodeError`` sentence.  ``lambda_runner.invoke`` decides when to use
it (``runs_handlers``, ``redirects_sdk``).

Measured on ministack 1.5.33 (warm Python workers, no Docker): the handler
sees its version's variables and Lambda's own (``AWS_LAMBDA_FUNCTION_NAME``,
...); its SDK signs with the function's account id as key id, so it acts in
the sandbox's account, against ministack's own endpoint; ``LogResult`` holds
what it printed and, on an exception, the Python traceback.  Errors come back
as ``FunctionError: Unhandled`` with ``errorType`` ``Runtime.HandlerError``
(the exception's class is only in the traceback), a timeout as
``Sandbox.Timedout`` / "Task timed out after 2.00 seconds", an import error or
a missing handler function as ``RuntimeError`` "Worker init failed: ...".
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

from botocore.config import Config
from botocore.exceptions import ReadTimeoutError

from .harness import EMULATOR_FAULTS, LearnerCodeError, clause, timeout_sentence
from .lookups import fetch
from .sandbox import CLIENT_CONFIG, REMOVED_VARIABLES

CAPABILITY = "lambda_execution"
MAX_TIMEOUT = 60.0
INIT_BUDGET = 10.0  # Lambda's own limit for a cold start's init phase, which the function's timeout leaves out
FRAME = re.compile(r'File "([^"]+)", line (\d+)')
TIMED_OUT = re.compile(r"Task timed out after ([\d.]+) seconds")
RAISED = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")  # "botocore.errorfactory.NoSuchBucket: An error…"


@dataclass(frozen=True)
class Invocation:
    value: object
    output: str
    function: str
    version: str


def runs_handlers(aws) -> bool:
    """The backend runs Python handlers that can import boto3, as Lambda's runtimes can.

    ministack runs handlers in its own interpreter; its launcher says whether
    boto3 is importable there (the runner's own install of ministack may
    hold botocore alone, and every lab handler imports boto3).
    """
    if not aws.backend.serves(CAPABILITY):
        return False
    return bool((aws.backend.info() or {}).get("lambda_boto3", True))


def version_config(aws, function: str, qualifier: str | None) -> dict | None:
    """The configuration of ``function`` at ``qualifier``; None when there is no such function or qualifier."""
    qualified = {"Qualifier": qualifier} if qualifier else {}
    return fetch(aws.client("lambda").get_function_configuration, FunctionName=function, **qualified)


def redirects_sdk(config: dict) -> bool:
    """Whether the version's own variables could send its SDK calls away from the sandbox.

    ministack lets a function's ``AWS_ENDPOINT_URL`` win over its own
    endpoint (measured: the handler saw http://example.invalid:1); the local
    runner puts the sandbox on top of such variables instead.
    """
    variables = (config.get("Environment") or {}).get("Variables") or {}
    return any(name.startswith("AWS_ENDPOINT_URL") or name in REMOVED_VARIABLES for name in variables)


def invoke_on_backend(aws, config: dict, event, qualifier: str | None = None,
                      timeout: float | None = None) -> Invocation:
    """Invoke the function of ``config`` at ``qualifier`` on ``event`` through the backend's Invoke."""
    own_limit = float(config.get("Timeout") or 3)
    limit = min(float(timeout or own_limit), own_limit, MAX_TIMEOUT)
    function, version = config["FunctionName"], str(config.get("Version") or "$LATEST")
    qualified = {"Qualifier": qualifier} if qualifier else {}
    try:
        answer = invoke_client(aws, limit).invoke(FunctionName=function, Payload=json.dumps(event).encode(),
                                                  LogType="Tail", **qualified)
    except ReadTimeoutError:
        raise no_answer(aws, f"Function {function} (version {version})", limit, cut_short=limit < own_limit) from None
    version = answer.get("ExecutedVersion") or version
    output = base64.b64decode(answer.get("LogResult") or "").decode("utf-8", "replace")
    raw = answer["Payload"].read()
    if answer.get("FunctionError"):
        raise function_error(f"Function {function} (version {version})", config, raw, output)
    return Invocation(json.loads(raw) if raw.strip() else None, output, function, version)


def invoke_client(aws, limit: float):
    """A Lambda client that waits for the handler and never retries: a retry would run it twice."""
    config = CLIENT_CONFIG.merge(Config(read_timeout=limit + INIT_BUDGET,
                                        retries={"mode": "standard", "total_max_attempts": 1}))
    return aws._session.client("lambda", endpoint_url=aws.endpoint, region_name=aws.region, config=config)


def no_answer(aws, where: str, limit: float, cut_short: bool) -> LearnerCodeError:
    """The backend's Invoke did not answer in time: the handler's fault only when the runner cut it short."""
    if cut_short:
        return LearnerCodeError(timeout_sentence(where, limit, ""))
    return LearnerCodeError(f"{where} got no answer from {aws.backend.name} within {limit + INIT_BUDGET:.0f} s, "
                            "though the function's own timeout is shorter.", emulator_fault=True)


def function_error(where: str, config: dict, raw: bytes, output: str) -> LearnerCodeError:
    """The one sentence for an invocation that ended in ``FunctionError``."""
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = {}
    payload = payload if isinstance(payload, dict) else {}
    message = str(payload.get("errorMessage") or raw.decode("utf-8", "replace") or "no error message")
    timed_out = TIMED_OUT.search(message)
    if timed_out:
        printed = "\n".join(line for line in output.splitlines() if not TIMED_OUT.search(line))
        return LearnerCodeError(timeout_sentence(where, float(timed_out.group(1)), printed), output)
    traceback = "\n".join([output, *payload.get("stackTrace", [])])
    kind = raised(traceback) or str(payload.get("errorType") or "an error")
    line = handler_line(traceback, config.get("Handler") or "")
    sentence = f"{where} raised {kind}: {clause(message)}" + (f" ({line})" if line else "")
    return LearnerCodeError(sentence + ".", output, emulator_fault=kind in EMULATOR_FAULTS)


def raised(traceback: str) -> str | None:
    """The class of the exception a Python traceback ends with, if the text holds one.

    ministack's ``errorType`` is ``Runtime.HandlerError`` whatever was raised; AWS's is the class itself.
    """
    _, found, tail = traceback.rpartition("Traceback (most recent call last):")
    matches = [RAISED.match(text) for text in tail.splitlines()] if found else []
    names = [match.group(1) for match in matches if match]
    return names[-1].rpartition(".")[2] if names else None


def handler_line(traceback: str, handler: str) -> str | None:
    """The handler's line, "line N of app.py": the deepest frame in the function's own code, not in boto3's.

    The code's folder is where the handler's module lies (``app.handler`` ->
    ``.../app.py``); that is /var/task on AWS and a temporary folder on ministack.
    """
    frames = FRAME.findall(traceback)
    module = handler.rpartition(".")[0].replace(".", "/") + ".py"
    roots = {path[:-len(module)] for path, _ in frames if path.endswith("/" + module)}
    own = [(path, number) for path, number in frames if any(path.startswith(root) for root in roots)]
    if not own:
        return None
    path, number = own[-1]
    return f"line {number} of {path.rpartition('/')[2]}"
