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
from dataclasses import dataclass
from pathlib import Path

MAX_OUTPUT = 16 * 1024


class LearnerCodeError(Exception):
    """The learner's code raised, timed out or returned something unusable."""

    def __init__(self, sentence: str, output: str = "") -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.output = output


@dataclass
class ScriptRun:
    returncode: int | None
    output: str
    timed_out: bool
    error: str | None

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def _run(command: list[str], env: dict, timeout: float, stdin: str = "") -> tuple[int | None, str, bool]:
    """Run a child in its own process group; kill the whole group on timeout."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT,
                                   env=env, start_new_session=True)
        timed_out = False
        try:
            process.communicate(stdin.encode(), timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        size = out.seek(0, os.SEEK_END)
        out.seek(max(0, size - MAX_OUTPUT))
        text = out.read().decode("utf-8", "replace")
        if size > MAX_OUTPUT:
            text = f"[… {size - MAX_OUTPUT} earlier bytes of output cut …]\n" + text
    return (None if timed_out else process.returncode), text, timed_out


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
            raise LearnerCodeError(f"{function}() in {path.name} did not return within {timeout:.0f} s.", output)
        try:
            result = json.loads(result_file.read_text())
        except (OSError, ValueError):
            detail = last_error_line(output) or f"exit code {returncode}"
            raise LearnerCodeError(f"{path.name} could not be run: {detail}.", output) from None
    if not result["ok"]:
        raise LearnerCodeError(f"{function}() in {path.name} {result['error']}.", output)
    return result["value"]


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
        finish({"ok": False, "error": f"could not be imported: {type(error).__name__}: {error}"})
        return
    target = getattr(module, function, None)
    if not callable(target):
        finish({"ok": False, "error": "is not defined"})
        return
    try:
        value = target(*args)
    except BaseException as error:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        finish({"ok": False, "error": f"raised {type(error).__name__}: {error} (line {frame.lineno})"})
        return
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        finish({"ok": False, "error": f"returned a {type(value).__name__}, which is not plain data (list, dict, str, number)"})
        return
    finish({"ok": True, "value": value})


if __name__ == "__main__":
    _child(*sys.argv[1:4])
