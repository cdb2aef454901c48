"""The wrapper every task runs in: one sentence and an exit code instead of a traceback.

Kept apart from ``common`` so that ``tasks.py`` can load without the engine:
each task imports only the command module it needs.
"""

from __future__ import annotations

import functools
import traceback

from invoke.exceptions import Exit

from .. import paths
from ..errors import LabError


def friendly(function):
    """Turn every failure into one sentence and exit code 2; log real bugs to a file."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (Exit, KeyboardInterrupt):
            raise
        except LabError as exc:
            raise Exit(exc.message, code=exc.code) from None
        except Exception as exc:
            log = paths.logs_dir() / "runner.log"
            with open(log, "a") as handle:
                handle.write(traceback.format_exc() + "\n")
            raise Exit(f"The runner hit an unexpected problem ({type(exc).__name__}: {exc}); "
                       f"details are in {log}.", code=2) from None

    return wrapper
