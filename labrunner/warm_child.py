"""In a child forked by the warm server: become the process ``python ARGV...`` would be, then run it.

The child takes a session of its own (so the runner's group kill reaches it
and everything it starts), puts the passed descriptors on 0, 1 and 2, moves
to the runner's working directory, takes exactly the given environment, and
sets ``sys.argv`` and ``sys.path[0]`` as the interpreter would.  Only then
does it tell the server it started; if any of that fails it exits silently
and the runner starts the code cold instead.

The code runs through ``runpy`` as ``__main__``, and the child ends as an
interpreter does: the exit code of ``SystemExit`` (None 0, an int itself,
anything else printed and 1), an uncaught exception printed by
``sys.excepthook`` from the learner's own frame on and exit code 1, death by
SIGINT after an uncaught ``KeyboardInterrupt``; non-daemon threads joined,
``atexit`` handlers run, files left open flushed, output flushed.  Then
``os._exit``: tearing down the modules the server had imported would cost
more than the run (every page of them copied on write, only to be freed), so
``__del__`` methods of objects still alive at exit do not run.
"""

from __future__ import annotations

import atexit
import builtins
import gc
import io
import os
import runpy
import signal
import sys
import threading

LAUNCHER_MODULES = {"runpy", __name__}
INTERRUPTED = -signal.SIGINT
OPEN_FILE_TYPES = (io.TextIOWrapper, io.BufferedWriter, io.BufferedRandom)
MAIN_GLOBALS = {"__builtins__": builtins}  # the module, as in a real __main__ (exec would put its dict)


def run(request: dict, fds: list[int], started_fd: int) -> None:
    try:
        become(request, fds)
    except BaseException:  # noqa: BLE001 (nothing of the learner's has run: the runner starts it cold)
        os._exit(1)
    os.write(started_fd, b"1")
    os.close(started_fd)
    finish(execute(request["argv"]))


def become(request: dict, fds: list[int]) -> None:
    os.setsid()
    stdin, output, cwd = fds
    os.dup2(stdin, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.fchdir(cwd)
    for fd in fds:
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    argv = request["argv"]
    sys.orig_argv = [sys.executable, *argv]
    sys.argv = ["-m", *argv[2:]] if argv[0] == "-m" else list(argv)  # runpy sets argv[0] for -m
    if not sys.flags.safe_path:
        sys.path[0] = os.getcwd() if argv[0] == "-m" else os.path.dirname(os.path.realpath(argv[0]))


def execute(argv: list[str]) -> int:
    """Run the code; its exit code."""
    try:
        if argv[0] == "-m":
            runpy.run_module(argv[1], MAIN_GLOBALS, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(argv[0], MAIN_GLOBALS, run_name="__main__")
    except SystemExit as exit:
        return exit_code(exit.code)
    except BaseException as error:  # noqa: BLE001 (what the interpreter does with an uncaught exception)
        error.__traceback__ = learner_frames(error.__traceback__)  # the default hook prints this one
        sys.excepthook(type(error), error, error.__traceback__)
        return INTERRUPTED if isinstance(error, KeyboardInterrupt) else 1
    return 0


def exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def finish(code: int) -> None:
    threading._shutdown()  # what the interpreter calls at exit: joins non-daemon threads
    atexit._run_exitfuncs()
    flush_open_files()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        code = 120  # as the interpreter exits when it cannot flush its output
    if code == INTERRUPTED:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(code)


def flush_open_files() -> None:
    """Flush the files the learner left open, as closing them at exit would (the server's are frozen, unseen)."""
    for thing in gc.get_objects():
        if type(thing) in OPEN_FILE_TYPES:
            try:
                thing.flush()
            except (OSError, ValueError):  # closed or detached
                pass


def learner_frames(traceback):
    """The traceback without its leading launcher frames, as ``python script.py`` would print it."""
    while traceback is not None and traceback.tb_frame.f_globals.get("__name__") in LAUNCHER_MODULES:
        traceback = traceback.tb_next
    return traceback
