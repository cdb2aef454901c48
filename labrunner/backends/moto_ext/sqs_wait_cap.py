"""Shorter empty long polls for one sandbox while its checker runs learner code.

A correct SQS consumer ends on a receive that finds the queue empty, and with
long polling that receive waits its full WaitTimeSeconds (20 s) first. The
checker grades the wait the learner asked for from the call journal, so it
does not need to sit through it: while a cap is set for an account, moto ends
that account's long polls on an empty queue after the cap. A message that
arrives still ends the wait at once, as on AWS. Nothing changes for other
accounts, or for this one once the cap is lifted.

``POST /_labrunner/sqs-wait-cap?account=ID&seconds=N`` sets the cap,
``DELETE`` (same path, same account) lifts it.
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qs

ROUTE = "/_labrunner/sqs-wait-cap"
_caps: dict[str, float] = {}
_lock = threading.Lock()


def cap_for(account_id: str) -> float | None:
    with _lock:
        return _caps.get(account_id)


def install() -> None:
    from moto.sqs.models import Queue, SQSBackend

    if getattr(SQSBackend, "_labrunner_wait_cap", False):
        return
    original = SQSBackend.receive_message
    original_wait = Queue.wait_for_messages

    def wait_for_messages(self, timeout):
        """moto waits for messages in steps of 1 s: a cap below that must shorten the step too."""
        cap = cap_for(self.account_id)
        return original_wait(self, timeout if cap is None else min(timeout, cap))

    def receive_message(self, queue_name, count, wait_seconds_timeout, *args, **kwargs):
        cap = cap_for(self.account_id)
        if cap is not None and wait_seconds_timeout:
            wait_seconds_timeout = min(wait_seconds_timeout, cap)
        return original(self, queue_name, count, wait_seconds_timeout, *args, **kwargs)

    SQSBackend.receive_message = receive_message
    Queue.wait_for_messages = wait_for_messages
    SQSBackend._labrunner_wait_cap = True


def handle(environ) -> tuple[int, dict]:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    account = query.get("account", [""])[0]
    if not account:
        return 400, {"error": "account is required"}
    with _lock:
        if environ.get("REQUEST_METHOD") == "DELETE":
            _caps.pop(account, None)
        else:
            _caps[account] = float(query.get("seconds", ["1"])[0])
        return 200, {"account": account, "cap": _caps.get(account)}


ROUTES = {ROUTE: handle}
