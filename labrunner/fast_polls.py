"""Client side of the moto extension ``sqs_wait_cap``: a checker's learner run without 20 s idle waits."""

from __future__ import annotations

import contextlib
import urllib.request

from .backends.moto_ext.sqs_wait_cap import ROUTE


def _call(aws, method: str, query: str) -> None:
    request = urllib.request.Request(f"{aws.backend.endpoint}{ROUTE}?{query}", method=method, data=b"")
    urllib.request.urlopen(request, timeout=5).close()


@contextlib.contextmanager
def short_empty_polls(aws, seconds: float = 0.2):
    """On moto, end this sandbox's long polls on an empty queue after ``seconds``; elsewhere, do nothing.

    The journal still records the WaitTimeSeconds the learner's code asked for, which is what is graded.
    """
    if aws.backend.name != "moto":
        yield
        return
    _call(aws, "POST", f"account={aws.account_id}&seconds={seconds}")
    try:
        yield
    finally:
        _call(aws, "DELETE", f"account={aws.account_id}")
