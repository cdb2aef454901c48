"""Private emulators die with their owner and are stopped group and all."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from labrunner.private_server import die_with, stop


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"


def test_stop_kills_a_server_that_ignores_sigterm_and_its_children():
    leader = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", {STUBBORN!r}])
        print(child.pid, flush=True)
        exec({STUBBORN!r})
    """)], stdout=subprocess.PIPE, text=True, start_new_session=True)
    child = int(leader.stdout.readline())
    assert leader.stdout.readline().strip() == "up"
    stop(leader, grace=0.5)
    assert leader.returncode == -signal.SIGKILL
    assert wait_until(lambda: not alive(child))


def test_a_server_dies_when_its_owner_is_sigkilled():
    """The owner (a test run, `inv verify`) is killed outright; its private server must not linger."""
    owner = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import os, subprocess, sys
        from labrunner.private_server import die_with
        server = subprocess.Popen([sys.executable, "-c", {STUBBORN!r}], start_new_session=True,
                                  preexec_fn=die_with(os.getpid()), stdout=subprocess.PIPE, text=True)
        server.stdout.readline()
        print(server.pid, flush=True)
        import time; time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    server = int(owner.stdout.readline())
    assert alive(server)
    owner.kill()
    owner.wait()
    assert wait_until(lambda: not alive(server)), "the private server outlived its SIGKILLed owner"


def test_a_server_whose_owner_is_already_gone_does_not_start():
    """die_with checks the parent after arranging the signal, so a fork that lost its parent exits."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    process = subprocess.Popen([sys.executable, "-c", "print('started')"], preexec_fn=die_with(gone.pid),
                               stdout=subprocess.PIPE, text=True)
    output, _ = process.communicate(timeout=10)
    assert process.returncode == 1 and output == ""
