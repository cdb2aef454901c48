"""Learner code runs in a subprocess: errors and hangs become one sentence."""

import os
import sys

import pytest

from labrunner.harness import LearnerCodeError, MAX_OUTPUT, call_function, run_script

ENV = dict(os.environ)


def code_file(tmp_path, text):
    path = tmp_path / "learner.py"
    path.write_text(text)
    return path


def test_a_function_result_comes_back_as_data(tmp_path):
    path = code_file(tmp_path, "def add(a, b):\n    print('noise')\n    return {'sum': a + b}\n")
    assert call_function(path, "add", [2, 3], ENV) == {"sum": 5}


@pytest.mark.parametrize("source, expected", [
    ("def drain(url):\n    raise KeyError('Messages')\n", "drain() in learner.py raised KeyError: 'Messages' (line 2)."),
    ("x = 1\n", "drain() in learner.py is not defined."),
    ("def drain(url)\n    pass\n", "drain() in learner.py could not be imported: SyntaxError"),
    ("def drain(url):\n    return object()\n", "returned a object, which is not plain data"),
    ("import sys\ndef drain(url):\n    sys.exit(3)\n", "raised SystemExit: 3"),
], ids=["raises", "missing", "syntax", "not-data", "exits"])
def test_learner_mistakes_are_one_sentence(tmp_path, source, expected):
    with pytest.raises(LearnerCodeError) as caught:
        call_function(code_file(tmp_path, source), "drain", ["url"], ENV)
    assert expected in caught.value.sentence
    assert caught.value.sentence.endswith(".")


def test_a_hanging_function_is_stopped(tmp_path):
    path = code_file(tmp_path, "import time\ndef drain(url):\n    time.sleep(60)\n")
    with pytest.raises(LearnerCodeError, match="did not return within 1 s"):
        call_function(path, "drain", ["url"], ENV, timeout=1)


def test_a_hanging_script_and_its_children_are_stopped(tmp_path):
    path = code_file(tmp_path, "import subprocess, time\nsubprocess.Popen(['sleep', '60'])\ntime.sleep(60)\n")
    run = run_script(path, ENV, timeout=1)
    assert run.timed_out and run.error == "learner.py was still running after 1 s and was stopped."


def test_a_failing_script_names_its_error(tmp_path):
    run = run_script(code_file(tmp_path, "print('hello')\nraise ValueError('bad bucket name')\n"), ENV)
    assert run.error == "learner.py exited with code 1: ValueError: bad bucket name."
    assert "hello" in run.output


def test_script_output_is_bounded(tmp_path):
    run = run_script(code_file(tmp_path, "print('x' * 10_000_000)\n"), ENV)
    assert run.ok and len(run.output) < MAX_OUTPUT + 200 and "earlier bytes of output cut" in run.output
