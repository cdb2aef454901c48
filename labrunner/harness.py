"""Run learner code in a subprocess: a timeout, bounded output, one-sentence errors.

``call_function`` imports the learner's file in a child interpreter, calls one
function with JSON arguments and returns its JSON result; ``run_script`` runs
the file as a script.  Neither lets learner code hang or crash the runner.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from . import warm_python

MAX_OUTPUT = 16 * 1024
READ_CHUNK = 64 * 1024
DRAIN_SECONDS = 0.5  # after the child is gone, how long to wait for the last of its output


class LearnerCodeError(Exception):
    """The learner's code raised, timed out or returned something unusable."""

    def __init__(self, sentence: str, output: str = "", emulator_fault: bool = False) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.output = output
        # The code failed because the emulator did (unreachable, a 5xx, throttling), not through a mistake of its own.
        self.emulator_fault = emulator_fault


@dataclass
class ScriptRun:
    returncode: int | None
    output: str
    timed_out: bool
    error: str | None

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


class _Tail:
    """Read a pipe to its end in a thread, keeping only the last ``limit`` bytes.

    Memory and disk stay bounded however much the child prints, and the child
    never blocks on a full pipe while it runs.
    """

    def __init__(self, pipe, limit: int = MAX_OUTPUT) -> None:
        self.pipe = pipe
        self.limit = limit
        self.total = 0
        self._kept = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._pump, name="learner-output", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        fd = self.pipe.fileno()
        try:
            while True:
                try:
                    chunk = os.read(fd, READ_CHUNK)
                except OSError:
                    break
                if not chunk:
                    break
                with self._lock:
                    self.total += len(chunk)
                    self._kept += chunk
                    if len(self._kept) > self.limit:
                        del self._kept[:len(self._kept) - self.limit]
        finally:
            self.pipe.close()  # here, not by the caller: closing under a blocked read could hand it another fd

    def text(self, wait: float) -> str:
        """The last lines of output (waiting up to ``wait`` s for the pipe to close)."""
        self._thread.join(wait)  # a grandchild that escaped the process group may hold the pipe open
        with self._lock:
            kept, total = bytes(self._kept), self.total
        cut = total - len(kept)
        if cut:
            newline = kept.find(b"\n")
            if 0 <= newline < len(kept) - 1:  # start at a whole line
                cut += newline + 1
                kept = kept[newline + 1:]
        text = kept.decode("utf-8", "replace")
        return f"[… {cut} earlier bytes of output cut …]\n{text}" if cut else text


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _run(command: list[str], env: dict, timeout: float, stdin: str = "") -> tuple[int | None, str, bool]:
    """Run a child in its own process group with a timeout; returns (exit code, last output, timed out).

    The child's stdin holds ``stdin`` and then ends (``/dev/null`` when empty),
    so code that reads it never waits.  On timeout the whole process group is
    killed with SIGKILL (a busy loop or a handler that ignores SIGTERM
    included), and so is anything the child left running after it exited.
    A Python child starts warm, forked from an interpreter that has imported
    boto3 already (``warm_python``), or cold when it cannot.
    """
    with tempfile.TemporaryFile() as source:
        if stdin:
            source.write(stdin.encode())
            source.seek(0)
        process = warm_python.spawn(command, env, source if stdin else None) or subprocess.Popen(
            command, stdin=source if stdin else subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=env, start_new_session=True)
    tail = _Tail(process.stdout)
    timed_out = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        _kill_group(process.pid)  # on timeout, on Ctrl-C, and leftovers of a finished script
        process.wait()
    text = tail.text(DRAIN_SECONDS)
    return (None if timed_out else process.returncode), text, timed_out


def last_output_line(output: str, width: int = 120) -> str | None:
    lines = [line.strip() for line in output.splitlines() if line.strip() and not line.startswith("[… ")]
    if not lines:
        return None
    line = lines[-1]
    return line if len(line) <= width else line[:width - 1] + "…"


def timeout_sentence(what: str, timeout: float, output: str) -> str:
    """``what`` did not return in time, with its last output line when it printed one."""
    sentence = f"{what} did not return within {timeout:.0f} s"
    last = last_output_line(output)
    return f"{sentence}; its last output was: {last.rstrip('.')}." if last else f"{sentence}."


def last_error_line(output: str) -> str | None:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if not line.startswith((" ", "Traceback", "[…")):
            return line.strip()
    return None


def run_script(path: Path, env: dict, timeout: float = 60.0) -> ScriptRun:
    returncode, output, timed_out = _run([sys.executable, str(path)], env, timeout)
    error = None
    if timed_out:
        error = f"{path.name} was still running after {timeout:.0f} s and was stopped."
    elif returncode != 0:
        error = f"{path.name} exited with code {returncode}: {last_error_line(output) or 'no error message'}."
    return ScriptRun(returncode, output, timed_out, error)


def call_function(path: Path, function: str, args: list, env: dict, timeout: float = 30.0):
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "labrunner.harness", str(path), function, str(result_file)]
        returncode, output, timed_out = _run(command, env, timeout, json.dumps(args))
        if timed_out:
            raise LearnerCodeError(timeout_sentence(f"{function}() in {path.name}", timeout, output), output)
        try:
            result = json.loads(result_file.read_text())
        except (OSError, ValueError):
            detail = last_error_line(output) or f"exit code {returncode}"
            raise LearnerCodeError(f"{path.name} could not be run: {detail}.", output) from None
    if not result["ok"]:
        raise LearnerCodeError(f"{function}() in {path.name} {result['error']}.", output,
                               emulator_fault=result.get("emulator_fault", False))
    return result["value"]


def clause(error: BaseException, limit: int = 300) -> str:
    """An exception's message on one line and bounded (botocore's may hold a whole XML body)."""
    text = " ".join(str(error).split()).rstrip(".")
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


EMULATOR_FAULTS = {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError",
                   "ResponseParserError"}
THROTTLING_CODES = {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "SlowDown",
                    "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException"}


def emulator_fault(error: BaseException) -> bool:
    """Whether learner code raised because the emulator failed it (in the child: botocore is not imported here)."""
    if type(error).__name__ in EMULATOR_FAULTS:
        return True
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return False
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    return status >= 500 or response.get("Error", {}).get("Code") in THROTTLING_CODES


def learner_frame(frames, path: str):
    """The deepest frame in the learner's own file, not in boto3's: that is the line to look at."""
    mine = [f for f in frames if Path(f.filename).resolve() == Path(path).resolve()]
    return (mine or frames)[-1]


def _child(path: str, function: str, result_file: str) -> None:
    """In the child: import the learner's file, call the function, write the result."""
    import importlib.util
    import traceback

    def finish(payload: dict) -> None:
        Path(result_file).write_text(json.dumps(payload, default=str))

    args = json.loads(sys.stdin.read() or "[]")
    sys.path.insert(0, str(Path(path).parent))
    try:
        spec = importlib.util.spec_from_file_location("learner_code", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except BaseException as error:  # the learner's file itself is broken
        finish({"ok": False, "error": f"could not be imported: {type(error).__name__}: {clause(error)}"})
        return
    target = getattr(module, function, None)
    if not callable(target):
        finish({"ok": False, "error": "is not defined"})
        return
    try:
        value = target(*args)
    except BaseException as error:
        frame = learner_frame(traceback.extract_tb(error.__traceback__), path)
        finish({"ok": False, "error": f"raised {type(error).__name__}: {clause(error)} (line {frame.lineno})",
                "emulator_fault": emulator_fault(error)})
        return
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        finish({"ok": False, "error": f"returned a {type(value).__name__}, which is not plain data (list, dict, str, number)"})
        return
    finish({"ok": True, "value": value})


if __name__ == "__main__":
    _child(*sys.argv[1:4])
