"""Run a deployed Lambda function's Python handler: through the backend, or on this machine.

``invoke(aws, name, event, qualifier)`` is what a checker calls to prove what
a handler does.  Where the backend really runs handlers (the
``lambda_execution`` feature, ministack), it goes through the backend's own
``Invoke`` (``lambda_invoke``), even though ministack also hands out the
code: that is the execution a learner's S3 trigger or API sees.  Two cases
still run locally there: a version whose variables would redirect its SDK
(``redirects_sdk``), and a server whose handler interpreter has no boto3.

moto keeps a function's code but cannot run it without Docker.  The local
path (``run_locally``) takes the zip of that exact version or alias from the
runner's moto extension (``moto_ext/lambda_code``; the ``Code.Location`` URL
of ``GetFunction`` is a real AWS address and is never fetched), unpacks it in
a temporary folder and calls the handler in a child interpreter with a
timeout and bounded output.  The child's environment is the version's
environment variables, Lambda's own variables (``AWS_LAMBDA_FUNCTION_NAME``,
...) and the sandbox (``aws.learner_env()``) on top, so the handler talks to
the sandbox and nowhere else, signed as the learner.

On backends that neither run handlers nor hand out code, ``invoke`` raises
``CodeUnavailable``; a checker turns it into a not-verifiable step.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from .harness import LearnerCodeError, _run, clause, emulator_fault, last_error_line, timeout_sentence
from .lambda_invoke import MAX_TIMEOUT, Invocation, invoke_on_backend, redirects_sdk, runs_handlers, version_config
from .sandbox import REMOVED_VARIABLES

CODE_PATH = "/_labrunner/lambda/code"
MAX_ZIP_BYTES = 50 * 1024 * 1024


class CodeUnavailable(Exception):
    """The backend cannot hand out a function's code."""


@dataclass(frozen=True)
class DeployedCode:
    function: str
    version: str
    arn: str
    handler: str
    runtime: str
    timeout: float
    memory: int
    environment: dict
    zip_bytes: bytes


def fetch_code(aws, function: str, qualifier: str | None = None) -> DeployedCode | None:
    """The code and configuration of ``function`` at ``qualifier``; None when there is no such version."""
    query = {"account": aws.account_id, "region": aws.region, "function": function}
    if qualifier:
        query["qualifier"] = qualifier
    url = f"{aws.endpoint}{CODE_PATH}?{urlencode(query)}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (the sandbox's loopback endpoint)
            data = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404 and b"no such function" in exc.read():
            return None
        raise CodeUnavailable(f"the {aws.backend.name} backend does not hand out Lambda code") from None
    except (urllib.error.URLError, OSError, ValueError):
        raise CodeUnavailable(f"the {aws.backend.name} backend does not hand out Lambda code") from None
    zip_bytes = base64.b64decode(data.pop("zip_base64", ""))
    return DeployedCode(zip_bytes=zip_bytes, **{k: data[k] for k in (
        "function", "version", "arn", "handler", "runtime", "timeout", "memory", "environment")})


def unpack(code: DeployedCode, folder: Path) -> None:
    if not code.zip_bytes:
        raise LearnerCodeError(f"Function {code.function} version {code.version} has no zip code to run.")
    if len(code.zip_bytes) > MAX_ZIP_BYTES:
        raise LearnerCodeError(f"Function {code.function} has a zip larger than 50 MiB; it is not run locally.")
    try:
        with zipfile.ZipFile(io.BytesIO(code.zip_bytes)) as archive:
            for member in archive.namelist():  # refuse paths that would land outside the folder
                target = (folder / member).resolve()
                if not target.is_relative_to(folder.resolve()):
                    raise LearnerCodeError(f"Function {code.function}'s zip holds the unsafe path {member}.")
            archive.extractall(folder)
    except zipfile.BadZipFile:
        raise LearnerCodeError(f"Function {code.function} version {code.version} is not a valid zip file.") from None


def lambda_variables(code: DeployedCode, folder: Path, request_id: str) -> dict:
    """The variables the Lambda runtime sets itself."""
    return {
        "AWS_LAMBDA_FUNCTION_NAME": code.function,
        "AWS_LAMBDA_FUNCTION_VERSION": code.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(code.memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{code.function}",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{code.runtime}",
        "LAMBDA_TASK_ROOT": str(folder),
        "_HANDLER": code.handler,
        "LABS_LAMBDA_TIMEOUT": str(code.timeout or 3),
        "LABS_LAMBDA_ARN": code.arn,
        "LABS_LAMBDA_REQUEST_ID": request_id,
    }


def child_environment(aws, code: DeployedCode, folder: Path, request_id: str) -> dict:
    # The function's own variables may not redirect the SDK: the sandbox goes on top.
    own = {k: str(v) for k, v in code.environment.items()
           if not k.startswith("AWS_ENDPOINT_URL") and k not in REMOVED_VARIABLES}
    env = aws.learner_env()
    merged = {**env, **own, **lambda_variables(code, folder, request_id)}
    merged.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    return merged


def run_handler(aws, code: DeployedCode, event, timeout: float | None = None) -> Invocation:
    """Unpack ``code`` and call its handler with ``event`` in a child interpreter."""
    timeout = min(float(timeout or code.timeout or 3), MAX_TIMEOUT)
    request_id = str(uuid.uuid4())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "task"
        folder.mkdir()
        unpack(code, folder)
        result_file = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "labrunner.lambda_runner", str(folder), code.handler, str(result_file)]
        returncode, output, timed_out = _run(command, child_environment(aws, code, folder, request_id), timeout,
                                             json.dumps(event))
        where = f"Function {code.function} (version {code.version})"
        if timed_out:
            raise LearnerCodeError(timeout_sentence(where, timeout, output), output)
        try:
            result = json.loads(result_file.read_text())
        except (OSError, ValueError):
            detail = last_error_line(output) or f"exit code {returncode}"
            raise LearnerCodeError(f"{where} could not be run: {detail}.", output) from None
    if not result["ok"]:
        raise LearnerCodeError(f"{where} {result['error']}.", output, emulator_fault=result.get("emulator_fault", False))
    return Invocation(result["value"], output, code.function, code.version)


def invoke(aws, function: str, event, qualifier: str | None = None, timeout: float | None = None) -> Invocation:
    """Run ``function`` at ``qualifier`` (a version, an alias or $LATEST) on ``event``, preferably on the backend."""
    if runs_handlers(aws):
        config = version_config(aws, function, qualifier)
        if config is None:
            raise missing(function, qualifier)
        if not redirects_sdk(config):
            return invoke_on_backend(aws, config, event, qualifier, timeout)
    return run_locally(aws, function, event, qualifier, timeout)


def missing(function: str, qualifier: str | None) -> LearnerCodeError:
    named = f"{function}:{qualifier}" if qualifier else function
    return LearnerCodeError(f"Function {named} does not exist, so it cannot be run.")


def run_locally(aws, function: str, event, qualifier: str | None = None, timeout: float | None = None) -> Invocation:
    """Run ``function`` at ``qualifier`` on ``event`` in a child interpreter here."""
    code = fetch_code(aws, function, qualifier)
    if code is None:
        raise missing(function, qualifier)
    if not str(code.runtime or "").startswith("python"):
        raise LearnerCodeError(f"Function {function} uses the runtime {code.runtime}; only Python handlers are run "
                               "locally.")
    return run_handler(aws, code, event, timeout)


class Context:
    """The handler's ``context`` argument: the fields Python handlers usually read."""

    def __init__(self, timeout: float) -> None:
        import time

        self._deadline = time.monotonic() + timeout
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("LABS_LAMBDA_ARN", "")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = os.environ.get("LABS_LAMBDA_REQUEST_ID", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = f"local/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        import time

        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _child(folder: str, handler: str, result_file: str) -> None:
    """In the child: import the handler's module from the unpacked code and call it."""
    import importlib
    import traceback

    def finish(payload: dict) -> None:
        Path(result_file).write_text(json.dumps(payload, default=str))

    event = json.loads(sys.stdin.read() or "null")
    sys.path.insert(0, folder)
    os.chdir(folder)
    module_name, _, function_name = handler.replace("/", ".").rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except BaseException as error:
        finish({"ok": False, "error": f"could not import {module_name}: {type(error).__name__}: {clause(error)}"})
        return
    target = getattr(module, function_name, None)
    if not callable(target):
        finish({"ok": False, "error": f"has no function {function_name} in {module_name} (handler {handler})"})
        return
    try:
        value = target(event, Context(float(os.environ.get("LABS_LAMBDA_TIMEOUT", "3"))))
    except BaseException as error:
        frames = traceback.extract_tb(error.__traceback__)
        own = [f for f in frames if Path(f.filename).resolve().is_relative_to(Path(folder).resolve())]
        frame = (own or frames)[-1]  # the handler's line, not boto3's
        finish({"ok": False, "error": f"raised {type(error).__name__}: {clause(error)} (line {frame.lineno} of "
                                      f"{Path(frame.filename).name})", "emulator_fault": emulator_fault(error)})
        return
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        finish({"ok": False, "error": f"returned a {type(value).__name__}, which is not JSON"})
        return
    finish({"ok": True, "value": value})


if __name__ == "__main__":
    _child(*sys.argv[1:4])
