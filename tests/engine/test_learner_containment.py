"""Learner code contained: whatever a script, a checked function or a Lambda handler does, the runner goes on.

Each misbehaviour (a hang, a busy loop that ignores SIGTERM, an endless flood
of output, a non-zero exit, a read of stdin, a child left running) runs with
a 1 s timeout in the three places learner code runs: ``run_script``
(``inv lab.run``), ``call_function`` (code labs' checkers) and
``lambda_runner.run_handler`` (handlers checked locally).  It must be stopped
within its timeout plus one second (a safety bound, not a performance
target), report one sentence, show its last output lines, and leave the
runner able to run the next piece of code.  tests/engine/test_harness.py has
the basic cases; the stop latencies measured here go into the reliability
figures.
"""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from labrunner.harness import MAX_OUTPUT, LearnerCodeError, call_function, run_script
from labrunner.lambda_runner import DeployedCode, run_handler

ENV = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
TIMEOUT = 1.0
LATENCIES: list[tuple[str, float]] = []

# Each body runs as a script's top level, inside a function, and inside a handler.
MISBEHAVIOURS = {
    "hangs": "print('waiting for the queue', flush=True)\ntime.sleep(60)",
    "busy loop ignoring SIGTERM": ("signal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('spinning', flush=True)\n"
                                   "while True:\n    pass"),
    "floods output": "i = 0\nwhile True:\n    print(f'line {i}')\n    i += 1",
    "hangs in a child process": ("subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
                                 "print('child started', flush=True)\ntime.sleep(60)"),
}
PRELUDE = "import os, signal, subprocess, sys, time\n"


def indented(body: str) -> str:
    return "\n".join("    " + line for line in body.splitlines())


def script(tmp_path, body: str) -> Path:
    path = tmp_path / "learner.py"
    path.write_text(PRELUDE + body + "\n")
    return path


def function_file(tmp_path, body: str) -> Path:
    path = tmp_path / "learner_fn.py"
    path.write_text(PRELUDE + "def drain(url):\n" + indented(body) + "\n")
    return path


def deployed(body: str) -> DeployedCode:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", PRELUDE + "def handler(event, context):\n" + indented(body) + "\n")
    return DeployedCode(function="orders", version="1", arn="arn:aws:lambda:us-east-1:123456789012:function:orders",
                        handler="app.handler", runtime="python3.12", timeout=TIMEOUT, memory=128, environment={},
                        zip_bytes=buffer.getvalue())


class StubAws:
    """What run_handler needs of an Aws bundle: the learner's environment."""

    def learner_env(self):
        return dict(ENV)


def timed(label: str, call):
    start = time.monotonic()
    try:
        return call()
    finally:
        elapsed = time.monotonic() - start
        LATENCIES.append((label, elapsed))
        assert elapsed <= TIMEOUT + 1.0, f"{label} took {elapsed:.2f} s to stop (timeout {TIMEOUT:.0f} s)"


def the_runner_goes_on(tmp_path, kind: str = "script"):
    """The next piece of learner code of the same kind runs normally."""
    ok = tmp_path / "ok.py"
    ok.write_text("def drain(url):\n    return [url]\nprint('fine')\n")
    if kind == "script":
        assert run_script(ok, ENV, timeout=10).output.strip() == "fine"
    elif kind == "function":
        assert call_function(ok, "drain", ["q"], ENV, timeout=10) == ["q"]
    else:
        assert run_handler(StubAws(), deployed("return event"), {"n": 1}, timeout=10).value == {"n": 1}


def assert_last_lines(output: str, behaviour: str) -> None:
    if behaviour == "floods output":
        assert len(output) <= MAX_OUTPUT + 100 and "earlier bytes of output cut" in output
        lines = output.splitlines()[1:-1]  # after the cut marker; the last line may be cut by the kill
        numbers = [int(re.fullmatch(r"line (\d+)", line).group(1)) for line in lines]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] > 1000
    else:
        assert output.strip(), "the last output lines are missing"


def stopped_script(tmp_path, behaviour):
    run = timed(f"script that {behaviour}", lambda: run_script(script(tmp_path, MISBEHAVIOURS[behaviour]), ENV, TIMEOUT))
    assert run.timed_out and run.error == "learner.py was still running after 1 s and was stopped."
    assert_last_lines(run.output, behaviour)
    the_runner_goes_on(tmp_path, "script")


def stopped_function(tmp_path, behaviour):
    path = function_file(tmp_path, MISBEHAVIOURS[behaviour])
    with pytest.raises(LearnerCodeError) as caught:
        timed(f"function that {behaviour}", lambda: call_function(path, "drain", ["q"], ENV, TIMEOUT))
    sentence = caught.value.sentence
    assert sentence.startswith("drain() in learner_fn.py did not return within 1 s; its last output was: ")
    assert sentence.endswith(".") and "\n" not in sentence
    assert_last_lines(caught.value.output, behaviour)
    the_runner_goes_on(tmp_path, "function")


def stopped_handler(tmp_path, behaviour):
    with pytest.raises(LearnerCodeError) as caught:
        timed(f"handler that {behaviour}", lambda: run_handler(StubAws(), deployed(MISBEHAVIOURS[behaviour]), {}))
    assert caught.value.sentence.startswith("Function orders (version 1) did not return within 1 s")
    assert_last_lines(caught.value.output, behaviour)
    the_runner_goes_on(tmp_path, "handler")


@pytest.mark.parametrize("behaviour", MISBEHAVIOURS)
def test_misbehaving_learner_code_is_stopped_and_shows_its_last_lines(tmp_path, behaviour):
    """As a script (`inv lab.run`), a function a checker calls, and a Lambda handler, side by side."""
    kinds = [stopped_script, stopped_function, stopped_handler]
    folders = [tmp_path / kind.__name__ for kind in kinds]
    for folder in folders:
        folder.mkdir()
    with ThreadPoolExecutor(max_workers=len(kinds)) as pool:
        for future in [pool.submit(kind, folder, behaviour) for kind, folder in zip(kinds, folders)]:
            future.result()


def test_reading_stdin_gets_end_of_file_at_once(tmp_path):
    run = timed("script reading stdin", lambda: run_script(script(tmp_path, "print('name?')\nname = input()"),
                                                           ENV, timeout=TIMEOUT))
    assert run.error == "learner.py exited with code 1: EOFError: EOF when reading a line."
    assert "name?" in run.output
    quiet = script(tmp_path, "import sys\nprint(repr(sys.stdin.read()))")
    assert run_script(quiet, ENV, timeout=TIMEOUT).output.strip() == "''"
    with pytest.raises(LearnerCodeError, match=r"raised EOFError: EOF when reading a line \(line 3\)"):
        call_function(function_file(tmp_path, "return input()"), "drain", ["q"], ENV, TIMEOUT)
    with pytest.raises(LearnerCodeError, match="raised EOFError"):
        run_handler(StubAws(), deployed("return input()"), {"x": 1})


@pytest.mark.parametrize("body, sentence", [
    ("print('half done', flush=True)\nsys.exit(3)", "learner.py exited with code 3: half done."),
    ("os._exit(7)", "learner.py exited with code 7: no error message."),
    ("raise MemoryError('the learner asked for too much')",
     "learner.py exited with code 1: MemoryError: the learner asked for too much."),
], ids=["sys.exit", "os._exit", "raises"])
def test_a_non_zero_exit_is_one_sentence(tmp_path, body, sentence):
    run = run_script(script(tmp_path, body), ENV, timeout=10)
    assert not run.ok and not run.timed_out and run.error == sentence
    with pytest.raises(LearnerCodeError, match=r"learner_fn.py could not be run: exit code 7\."):
        call_function(function_file(tmp_path, "os._exit(7)"), "drain", ["q"], ENV, 10)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie is dead, only not yet reaped by whoever adopted it


def test_children_left_running_by_a_finished_script_are_stopped(tmp_path):
    pids = tmp_path / "pids"
    body = (f"for _ in range(2):\n    p = subprocess.Popen(['sleep', '60'])\n"
            f"    open({str(pids)!r}, 'a').write(f'{{p.pid}}\\n')\nprint('left two sleepers behind')")
    run = run_script(script(tmp_path, body), ENV, timeout=10)
    assert run.ok and "left two sleepers behind" in run.output
    children = [int(line) for line in pids.read_text().split()]
    deadline = time.monotonic() + 1
    while any(map(alive, children)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(map(alive, children))


def test_a_child_that_leaves_the_process_group_cannot_hold_the_runner(tmp_path):
    """A child that calls setsid escapes the group kill (only a container or cgroup could stop it), but
    holding the output pipe open does not keep the runner waiting past the bound."""
    pid_file = tmp_path / "escaped"
    body = (f"p = subprocess.Popen(['sleep', '30'], start_new_session=True)\n"
            f"open({str(pid_file)!r}, 'w').write(str(p.pid))\nprint('escaped', flush=True)\ntime.sleep(60)")
    try:
        run = timed("script whose child escaped the group", lambda: run_script(script(tmp_path, body), ENV, TIMEOUT))
        assert run.timed_out and "escaped" in run.output
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), 9)


def test_stop_latencies_are_reported(reliability_figures):
    stops = [elapsed - TIMEOUT for label, elapsed in LATENCIES if "stdin" not in label and "escaped" not in label]
    escaped = [elapsed - TIMEOUT for label, elapsed in LATENCIES if "escaped" in label]
    if not stops:
        pytest.skip("run with the containment tests above")
    reliability_figures.add(
        "learner code stopped",
        f"{len(stops)} runaway runs (hang, busy loop ignoring SIGTERM, output flood, hung child; script, "
        f"function, Lambda handler) stopped {min(stops):.2f}-{max(stops):.2f} s after a {TIMEOUT:.0f} s timeout "
        f"(bound: 1 s)" + (f"; a script whose child left the group returned {escaped[0]:.2f} s after" if escaped else ""))
