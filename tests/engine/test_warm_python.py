"""Warm start: learner code forked from an interpreter that has imported boto3, and no other difference.

Each child first prints (or writes to a file) whether botocore was imported
before any import of its own: ``warm`` proves the warm server ran it,
``cold`` that it was a fresh interpreter.  Most behaviours run both ways (``LABS_WARM_PYTHON=0``
for cold) and must come out the same: environment, argv, sys.path, stdin,
descriptors, signals, exit codes, tracebacks, threads and atexit handlers,
timeouts that kill the whole group.  No timing is asserted here (bench/ has
the figures).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from labrunner import warm_python
from labrunner.harness import _run, call_function, run_script

ENV = dict(os.environ)
MARK = "import sys\nprint('warm' if 'botocore' in sys.modules else 'cold', flush=True)\n"
PROBE = MARK + textwrap.dedent("""
    import json, os, signal, tempfile
    print(json.dumps({
        "name": __name__, "file": __file__, "argv": sys.argv, "path": sys.path, "cwd": os.getcwd(),
        "builtins": type(__builtins__).__name__,
        "env": dict(os.environ), "tempdir": tempfile.gettempdir(), "stdin": sys.stdin.read(),
        "fds": sorted(os.listdir("/proc/self/fd")), "own_group": os.getpgid(0) == os.getpid() == os.getsid(0),
        "signals": [str(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE,
                                                       signal.SIGCHLD, signal.SIGHUP)],
    }))
""")


def launcher_for_test():
    """A warm server of the test's own, started from the current environment and ready, stopped afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(warm_python.SWITCH, raising=False)
        own = warm_python._Launcher()
        patch.setattr(warm_python, "_launcher", own)
        assert ready(own)
        yield own
        own.stop()


launcher = pytest.fixture(scope="module")(launcher_for_test)
own_launcher = pytest.fixture(launcher_for_test)


def write(folder: Path, body: str, name: str = "learner.py") -> Path:
    path = folder / name
    path.write_text(body)
    return path


def cold(run, *args, **kwargs):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(warm_python.SWITCH, "0")
        return run(*args, **kwargs)


def split(output: str) -> tuple[str, str]:
    """(warm or cold, the rest of the output)."""
    mark, _, rest = output.partition("\n")
    return mark, rest


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def ready(launcher) -> bool:
    """Wait for the server, which starts in the background on first use."""
    return wait_until(lambda: launcher.server() is not None, 60)


def test_learner_code_runs_forked_from_the_warm_server(launcher, tmp_path):
    path = write(tmp_path, MARK + "import os\nprint(os.getppid())\n")
    mark, parent = split(run_script(path, ENV).output)
    assert mark == "warm" and int(parent) == launcher._server.process.pid != os.getpid()
    mark, parent = split(cold(run_script, path, ENV).output)
    assert mark == "cold" and int(parent) == os.getpid()
    function = write(tmp_path, "import sys\nWARM = 'botocore' in sys.modules\ndef warm():\n    return WARM\n", "fn.py")
    assert call_function(function, "warm", [], ENV) is True
    assert cold(call_function, function, "warm", [], ENV) is False


@pytest.mark.parametrize("stdin", ["", "line one\nline two\n"], ids=["no stdin", "stdin"])
def test_a_script_sees_what_a_cold_interpreter_sees(launcher, tmp_path, stdin):
    env = {**ENV, "TMPDIR": str(tmp_path), "ONLY_FOR_THIS_RUN": "yes", "AWS_REGION": "eu-west-3"}
    env.pop("PATH", None)
    command = [sys.executable, str(write(tmp_path, PROBE)), "first", "second"]
    warm, cold_run = _run(command, env, 30, stdin), cold(_run, command, env, 30, stdin)
    assert split(warm[1])[0] == "warm" and split(cold_run[1])[0] == "cold"
    seen = json.loads(split(warm[1])[1])
    assert seen == json.loads(split(cold_run[1])[1]) and warm[0] == cold_run[0] == 0
    assert seen["env"] == env and seen["stdin"] == stdin and seen["own_group"]
    assert (seen["name"], seen["argv"], seen["fds"]) == ("__main__", command[1:], ["0", "1", "2", "3"])


def test_a_module_run_with_dash_m_sees_what_a_cold_interpreter_sees(launcher, tmp_path, monkeypatch):
    write(tmp_path, PROBE, "probe_module.py")
    monkeypatch.chdir(tmp_path)
    command = [sys.executable, "-m", "probe_module", "--flag"]
    warm, cold_run = _run(command, ENV, 30), cold(_run, command, ENV, 30)
    assert split(warm[1])[0] == "warm" and split(cold_run[1])[0] == "cold"
    seen = json.loads(split(warm[1])[1])
    assert seen == json.loads(split(cold_run[1])[1])
    assert seen["path"][0] == seen["cwd"] == str(tmp_path) and seen["argv"] == [str(tmp_path / "probe_module.py"),
                                                                                "--flag"]


# In the working folder rather than on stdout, so the outputs compare whole.
MARK_FILE = "import sys\nopen('mark', 'w').write('warm' if 'botocore' in sys.modules else 'cold')\n"
ENDINGS = {
    "sys.exit(3)": "sys.exit(3)",
    "sys.exit(text)": "sys.exit('giving up: no queue')",
    "sys.exit()": "print('done')\nsys.exit()",
    "raises": "def load():\n    raise ValueError('bad bucket name')\nload()",
    "os._exit": "print('lost: never flushed')\nos._exit(7)",
    "SIGTERM": "print('terminating', flush=True)\nos.kill(os.getpid(), signal.SIGTERM)\ntime.sleep(10)",
    "ignores SIGTERM": "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nos.kill(os.getpid(), signal.SIGTERM)\nprint('alive')",
    "KeyboardInterrupt": "os.kill(os.getpid(), signal.SIGINT)\ntime.sleep(10)",
    "threads and atexit": ("import atexit, threading\natexit.register(print, 'atexit ran')\n"
                           "threading.Thread(target=lambda: (time.sleep(0.2), print('thread done'))).start()\n"
                           "print('main done')"),
    "forks": ("pid = os.fork()\nif pid == 0:\n    print('in the fork', flush=True)\n    os._exit(4)\n"
              "print('fork exited with', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))"),
    "prints a lot": "for i in range(200_000):\n    print(f'line {i}')",
}


def marked_run(path: Path):
    return run_script(path, ENV, 30), (path.parent / "mark").read_text()


@pytest.mark.parametrize("body", ENDINGS.values(), ids=ENDINGS.keys())
def test_exit_codes_and_last_output_are_those_of_a_cold_interpreter(launcher, tmp_path, monkeypatch, body):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, MARK_FILE + "import os, signal, time\n" + body + "\n")
    (warm, warm_mark), (cold_run, cold_mark) = marked_run(path), cold(marked_run, path)
    assert (warm_mark, cold_mark) == ("warm", "cold")
    assert (warm.returncode, warm.output, warm.error) == (cold_run.returncode, cold_run.output, cold_run.error)


def test_files_left_open_are_flushed_at_exit(launcher, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = MARK_FILE + ("import learner_module\nlog = open('main.txt', 'w')\nlog.write('from main')\n"
                        "def keeps_a_cycle():\n    return log\n")
    write(tmp_path, "records = open('module.txt', 'w')\nrecords.write('from a module')\n", "learner_module.py")
    run, mark = marked_run(write(tmp_path, body))
    assert run.ok and mark == "warm"
    assert (tmp_path / "main.txt").read_text() == "from main"
    assert (tmp_path / "module.txt").read_text() == "from a module"


def test_a_timeout_kills_the_whole_group_grandchildren_included(launcher, tmp_path):
    pids = tmp_path / "pids"
    body = MARK + textwrap.dedent(f"""
        import os, signal, subprocess, time
        sleeper = subprocess.Popen(["sleep", "60"])
        forked = os.fork()
        if forked == 0:
            time.sleep(60)
            os._exit(0)
        open({str(pids)!r}, "w").write(f"{{sleeper.pid}} {{forked}}")
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True:
            pass
    """)
    run = run_script(write(tmp_path, body), ENV, timeout=1)
    assert run.timed_out and split(run.output)[0] == "warm"
    assert wait_until(lambda: not any(alive(int(pid)) for pid in pids.read_text().split()))


def test_concurrent_runs_from_eight_threads_each_get_their_own_output(launcher, tmp_path):
    path = write(tmp_path, MARK + "import os\nfor _ in range(500):\n    print(os.environ['TOKEN'])\n")

    def one(token: str) -> str:
        return run_script(path, {**ENV, "TOKEN": token}, 60).output

    tokens = [f"token-{n}" for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outputs = list(pool.map(one, tokens * 3))
    for token, output in zip(tokens * 3, outputs):
        assert output == "warm\n" + f"{token}\n" * 500


def test_switched_off_unsupported_or_differently_configured_runs_start_cold(launcher, tmp_path, monkeypatch):
    path = write(tmp_path, MARK)
    assert cold(run_script, path, ENV).output == "cold\n"
    assert _run([sys.executable, "-c", MARK], ENV, 30)[1] == "cold\n"
    monkeypatch.chdir(tmp_path)
    assert _run([sys.executable, "learner.py"], ENV, 30)[1] == "cold\n"  # a relative path
    extra = tmp_path / "extra"
    extra.mkdir()
    write(extra, "WHERE = 'from PYTHONPATH'\n", "extra_module.py")
    env = {**ENV, "PYTHONPATH": str(extra)}
    assert run_script(write(tmp_path, "import extra_module\nprint(extra_module.WHERE)\n"), env).output.strip() == \
        "from PYTHONPATH"


def test_the_socket_lives_in_a_private_folder(launcher, tmp_path):
    run_script(write(tmp_path, "pass\n"), ENV)
    folder = Path(launcher._server.folder)
    assert folder.stat().st_mode & 0o777 == 0o700 and (folder / "socket").is_socket()


def test_a_killed_server_is_replaced_and_the_next_run_still_works(own_launcher, tmp_path):
    path = write(tmp_path, MARK + "import os\nprint(os.getppid())\n")
    mark, first_server = split(run_script(path, ENV).output)
    assert mark == "warm"
    os.kill(int(first_server), signal.SIGKILL)
    assert wait_until(lambda: not own_launcher._server.alive())
    run = run_script(path, ENV)  # cold, while a new server starts
    assert run.ok and split(run.output) == ("cold", f"{os.getpid()}\n")
    assert ready(own_launcher)
    mark, second_server = split(run_script(path, ENV).output)
    assert mark == "warm" and second_server != first_server


def test_a_server_killed_during_a_run_stops_that_run_and_the_next_one_works(own_launcher, tmp_path):
    started = tmp_path / "started"
    path = write(tmp_path, MARK + f"import time\nopen({str(started)!r}, 'w').close()\ntime.sleep(60)\n")
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(run_script, path, ENV, 30)
        assert wait_until(started.exists, 30)
        os.kill(own_launcher._server.process.pid, signal.SIGKILL)
        run = running.result()
    assert not run.timed_out and run.returncode == -signal.SIGKILL and split(run.output)[0] == "warm"
    assert run_script(write(tmp_path, "print('fine')\n", "ok.py"), ENV).output == "fine\n"
