"""No tracebacks: every checker, in every condition, gives a verdict with sentences or one clear error.

Each lab of the catalogue (``labrunner.catalog.load()``) is graded in-process,
through ``labrunner.grading.grade`` as ``inv lab.check`` does, in six
conditions:

fresh
    its own new sandbox (setup applied, nothing built; code labs with the starter file);
crowded
    one account holding the setup and reference solution of about half the
    catalogue (the other half: each lab is graded in the account built from
    the half it is not in), plus its own setup;
stopped
    the emulator gone: the sandbox's endpoint points at a closed loopback port;
500s
    every AWS call answered ``500 Internal Server Error`` with a plain-text
    body, as an emulator that crashes on each request does;
throttled
    every AWS call answered with the service's own throttling error
    (``ThrottlingException`` in JSON protocols, ``Throttling`` in query
    protocols, ``RequestLimitExceeded`` on EC2, ``503 SlowDown`` on S3, ``429``
    on REST-JSON services);
flaky
    the lab's reference applied, then every third AWS call answered with a
    500 or a throttling error, so the faults land deep inside checkers.

The faults come from ``FaultProxy``, a tiny HTTP proxy on 127.0.0.1 in front
of the session's emulator, rather than a botocore event hook: the sandbox's
endpoint is pointed at it, so it also faults the AWS calls of the learner code
that code labs run in subprocesses, and of the ``Aws`` bundles checkers make
themselves (``aws.as_learner()``), which an in-process hook would miss.  It
faults only signed AWS requests; the runner's own ``/_labrunner/`` channel
(journal, Lambda code) passes through.  Retries are turned off for these runs
(``CLIENT_CONFIG`` and ``AWS_MAX_ATTEMPTS=1``), so every injected fault reaches
the grading layer instead of being absorbed by a retry, and so the module runs
in seconds.

A run passes when ``grade`` returns a ``LabResult`` with one result per lab
step, each a status and a one-sentence message, or raises one ``LabError``
whose message is one sentence.  Any other exception is a traceback and fails
the test.  The number of runs is printed with the reliability figures at the
end of the session.
"""

from __future__ import annotations

import dataclasses
import http.client
import itertools
import re
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from botocore.config import Config

import labrunner.sandbox
from labrunner.backends.base import free_port
from labrunner.catalog import load
from labrunner.errors import LabError
from labrunner.grading import LabResult, Status, grade
from labrunner.sandbox import Aws
from labrunner.sandboxes import apply_setup, new_sandbox

CREDENTIAL = re.compile(r"Credential=[^/,\s]+/[^/]+/[^/]+/([^/]+)/")


# --- the fault-injecting proxy ----------------------------------------------

def throttling_response(service: str, headers) -> tuple[int, dict, bytes]:
    """The throttling error each protocol family sends, so botocore parses it as the real thing."""
    content_type = headers.get("Content-Type", "")
    if headers.get("X-Amz-Target"):
        body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
        return 400, {"Content-Type": content_type or "application/x-amz-json-1.1"}, body
    if service == "s3":
        body = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
        return 503, {"Content-Type": "application/xml"}, body
    if service == "ec2":
        body = (b"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded."
                b"</Message></Error></Errors><RequestID>fault</RequestID></Response>")
        return 503, {"Content-Type": "text/xml"}, body
    if "x-www-form-urlencoded" in content_type:
        body = (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded"
                b"</Message></Error><RequestId>fault</RequestId></ErrorResponse>")
        return 400, {"Content-Type": "text/xml"}, body
    return 429, {"Content-Type": "application/json", "x-amzn-ErrorType": "TooManyRequestsException"}, \
        b'{"message": "Rate exceeded"}'


def server_error_response(service: str, headers) -> tuple[int, dict, bytes]:
    return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"


class FaultProxy:
    """A loopback HTTP proxy to ``upstream`` that answers some signed AWS requests with faults.

    ``mode`` is ``"500"`` (every AWS call), ``"throttle"`` (every AWS call) or
    ``"flaky"`` (every third AWS call, alternately a 500 and a throttling error).
    """

    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade", "trailer"}

    def __init__(self, upstream: str, mode: str) -> None:
        self.upstream = urlparse(upstream)
        self.mode = mode
        self.forwarded = 0
        self.faulted = 0
        self._count = itertools.count(1)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, and 100-continue for S3 uploads

            def log_message(self, *args):
                pass

            def relay(self):
                proxy.handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def read_body(request) -> bytes:
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(request.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while request.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(request.rfile.read(size))
                request.rfile.readline()
        length = int(request.headers.get("Content-Length") or 0)
        return request.rfile.read(length) if length else b""

    def fault_for(self, request):
        match = CREDENTIAL.search(request.headers.get("Authorization", ""))
        if not match or request.path.startswith("/_labrunner/"):
            return None
        service = match.group(1)
        n = next(self._count)
        if self.mode == "500":
            return server_error_response(service, request.headers)
        if self.mode == "throttle":
            return throttling_response(service, request.headers)
        if n % 3 == 0:
            return (server_error_response if n % 6 == 0 else throttling_response)(service, request.headers)
        return None

    def handle(self, request) -> None:
        body = self.read_body(request)
        fault = self.fault_for(request)
        if fault is not None:
            self.faulted += 1
            status, headers, payload = fault
        else:
            self.forwarded += 1
            status, headers, payload = self.forward(request, body)
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(payload)

    def forward(self, request, body: bytes):
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=90)
        try:
            headers = {k: v for k, v in request.headers.items()
                       if k.lower() not in self.HOP_BY_HOP and k.lower() not in ("content-length", "expect")}
            if body or request.command in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(body))
            connection.request(request.command, request.path, body=body or None, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            kept = {k: v for k, v in response.getheaders()
                    if k.lower() not in self.HOP_BY_HOP and k.lower() != "content-length"}
            return response.status, kept, payload
        finally:
            connection.close()


# --- one run and what it must give -------------------------------------------

@dataclasses.dataclass
class Run:
    lab_id: str
    condition: str
    outcome: object  # LabResult, LabError, or the traceback text of anything else
    seconds: float = 0.0


def one_sentence(message: str) -> bool:
    return (isinstance(message, str) and len(message) >= 15 and message.rstrip().endswith((".", "!", "?"))
            and "\n" not in message and "Traceback" not in message)


def problems(lab, run: Run) -> list[str]:
    where = f"{run.lab_id} [{run.condition}]"
    outcome = run.outcome
    if isinstance(outcome, str):
        return [f"{where}: a traceback escaped grading:\n{outcome}"]
    if isinstance(outcome, LabError):
        return [] if one_sentence(outcome.message) else [f"{where}: LabError that is not one sentence: {outcome.message!r}"]
    found = []
    if len(outcome.steps) != len(lab.steps()):
        found.append(f"{where}: {len(outcome.steps)} results for {len(lab.steps())} steps")
    for step in outcome.steps:
        if step.status not in Status:
            found.append(f"{where}: step {step.number} has status {step.status!r}")
        if not one_sentence(step.message):
            found.append(f"{where}: step {step.number} {step.status.value} message is not one sentence: "
                         f"{step.message!r}")
    return found


def graded(lab, aws: Aws, condition: str) -> Run:
    start = time.monotonic()
    try:
        outcome = grade(lab, aws, aws.backend.name)
    except LabError as exc:
        outcome = exc
    except Exception:  # the thing this module exists to catch
        outcome = traceback.format_exc()
    return Run(lab.id, condition, outcome, time.monotonic() - start)


def moved(sandbox, endpoint: str):
    return dataclasses.replace(sandbox, endpoint=endpoint)


def bundle(sandbox, backend_cls, endpoint: str, code_path) -> Aws:
    return Aws(moved(sandbox, endpoint), backend_cls(endpoint), code_path=code_path)


def as_lab(sandbox, lab):
    """The same account, seen with another lab's names."""
    return dataclasses.replace(sandbox, lab_id=lab.id, names=lab.resolve_names(sandbox.account_id))


def code_path(lab, fresh: bool):
    if lab.kind == "code" and fresh and lab.starter_path.exists():
        return lab.starter_path
    return lab.solution_path


# --- the test ----------------------------------------------------------------

CONDITIONS = ("fresh", "crowded", "stopped", "500s", "throttled", "flaky")


def test_every_checker_in_every_condition_gives_a_verdict(emulator, monkeypatch, reliability_figures):
    labs = list(load().labs)
    for lab in labs:  # load every module once, before threads share them
        lab.check_module(), lab.solution_module()
    monkeypatch.setattr(labrunner.sandbox, "CLIENT_CONFIG",
                        labrunner.sandbox.CLIENT_CONFIG.merge(Config(retries={"total_max_attempts": 1})))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # learner code run by code labs: no retries either
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    backend_cls = type(emulator)
    proxies = {mode: FaultProxy(emulator.endpoint, mode) for mode in ("500", "throttle", "flaky")}
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    runs: list[Run] = []
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            # fresh: each lab's own new sandbox (kept for stopped, 500s and throttled)
            def fresh(lab):
                sandbox = new_sandbox(lab, emulator)
                return sandbox, graded(lab, Aws(sandbox, emulator, code_path=code_path(lab, fresh=True)), "fresh")

            sandboxes = {}
            for lab, (sandbox, run) in zip(labs, pool.map(fresh, labs)):
                sandboxes[lab.id] = sandbox
                runs.append(run)

            # stopped, 500s, throttled: the fresh sandboxes behind a closed port or a faulting proxy
            conditions = [("stopped", closed), ("500s", proxies["500"].endpoint),
                          ("throttled", proxies["throttle"].endpoint)]
            jobs = [(lab, name, endpoint) for name, endpoint in conditions for lab in labs]
            runs += pool.map(lambda job: graded(job[0], bundle(sandboxes[job[0].id], backend_cls, job[2],
                                                               job[0].solution_path), job[1]), jobs)

            # crowded and flaky: two accounts, each set up and solved for half the catalogue; each lab is
            # graded "crowded" in the other half's account and "flaky" (solved, faulted) in its own
            halves = (labs[0::2], labs[1::2])
            accounts = list(pool.map(lambda half: crowd(half, emulator), halves))
            pairs = [(accounts[1], halves[0], "crowded"), (accounts[0], halves[1], "crowded")]
            for crowded_runs in pool.map(lambda pair: graded_in_account(*pair, emulator), pairs):
                runs += crowded_runs
            pairs = [(accounts[0], halves[0], "flaky"), (accounts[1], halves[1], "flaky")]
            for flaky_runs in pool.map(lambda pair: graded_in_account(*pair, emulator, proxies["flaky"]), pairs):
                runs += flaky_runs
    finally:
        for proxy in proxies.values():
            proxy.close()
    elapsed = time.monotonic() - started

    by_id = {lab.id: lab for lab in labs}
    found = [p for run in runs for p in problems(by_id[run.lab_id], run)]
    counts = {name: [0, 0] for name in CONDITIONS}
    for run in runs:
        counts[run.condition][0 if isinstance(run.outcome, LabResult) else 1] += 1
    tracebacks = sum(isinstance(run.outcome, str) for run in runs)
    detail = ", ".join(f"{name} {verdicts}+{errors}" for name, (verdicts, errors) in counts.items())
    reliability_figures.add(
        "checker runs without a traceback",
        f"{len(runs) - tracebacks} of {len(runs)} ({len(labs)} labs x {len(CONDITIONS)} conditions; verdicts+"
        f"one-sentence errors: {detail}; {sum(p.faulted for p in proxies.values())} faults injected; {elapsed:.0f} s)")
    assert len(runs) == len(labs) * len(CONDITIONS)
    assert found == [], "\n".join(found)


def crowd(labs, backend):
    """One account with every lab of ``labs`` set up and solved, each with its own names."""
    account = new_sandbox(labs[0], backend)  # new_sandbox applies the first lab's setup
    for index, lab in enumerate(labs):
        here = as_lab(account, lab)
        try:
            if index:
                apply_setup(lab, Aws(here, backend))
            lab.solution_module().solve(Aws(here, backend, as_learner=True, code_path=lab.solution_path))
        except Exception:  # two references may want the same account-wide thing; crowding goes on
            pass
    return account


def graded_in_account(account, labs, condition, backend, proxy=None) -> list[Run]:
    runs = []
    for lab in labs:
        here = as_lab(account, lab)
        if condition == "crowded":
            try:
                apply_setup(lab, Aws(here, backend))
            except LabError:
                pass  # graded anyway: the checker must cope with whatever the account holds
        if proxy is None:
            aws = Aws(here, backend, code_path=lab.solution_path)
        else:
            aws = bundle(here, type(backend), proxy.endpoint, lab.solution_path)
        runs.append(graded(lab, aws, condition))
    return runs


# --- the grading layer's own guarantees, one by one ---------------------------

class FakeAws:
    endpoint = "http://127.0.0.1:1"
    names: dict = {}

    class backend:
        name = "fake"


def fake_lab(check, titles=("One", "Two")):
    class Lab:
        id = "fake-lab"

        def steps(self, names=None):
            return [type("Step", (), {"number": i + 1, "title": t}) for i, t in enumerate(titles)]

        def check_module(self):
            return type("Module", (), {"check": staticmethod(check)})

    return Lab()


def test_a_multi_line_exception_becomes_one_sentence():
    from botocore.exceptions import ParamValidationError

    from labrunner.grading import run_step

    def step(aws):
        raise ParamValidationError(report="Invalid type for parameter Bucket,\nvalue: 1, type: int")

    result = run_step(FakeAws(), step)
    assert result.status is Status.ERROR and one_sentence(result.message), result.message


def test_an_unreadable_answer_is_a_sentence_not_a_parser_dump():
    from botocore.parsers import ResponseParserError

    from labrunner.grading import run_step

    def step(aws):
        raise ResponseParserError("Unable to parse response (syntax error), invalid XML received:\nb'oops'")

    result = run_step(FakeAws(), step)
    assert result.message == ("This step could not be graded: the emulator sent an answer that is not valid for "
                              "this AWS API (a server error?).")


def test_a_journal_that_cannot_be_read_stops_the_check_with_one_error():
    from labrunner.errors import EmulatorDown

    def step(aws):
        raise EmulatorDown(aws.endpoint)

    def check(aws):
        from labrunner.grading import steps
        yield from steps(aws, step, step)

    with pytest.raises(EmulatorDown):
        grade(fake_lab(check), FakeAws(), "fake")


def test_a_checker_yielding_junk_or_too_little_still_gives_one_result_per_step():
    def check(aws):
        yield "not a result"

    outcome = grade(fake_lab(check), FakeAws(), "fake")
    assert [s.status for s in outcome.steps] == [Status.ERROR, Status.ERROR]
    assert all(one_sentence(s.message) for s in outcome.steps)


def test_a_checker_that_cannot_connect_outside_a_step_says_the_emulator_is_down():
    from botocore.exceptions import EndpointConnectionError

    from labrunner.errors import EmulatorDown

    def check(aws):
        raise EndpointConnectionError(endpoint_url=aws.endpoint)
        yield

    with pytest.raises(EmulatorDown, match="start it with `inv up`"):
        grade(fake_lab(check), FakeAws(), "fake")


def test_an_xml_error_body_is_read_not_pasted():
    from botocore.exceptions import ClientError

    from labrunner.grading import run_step

    body = ('<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch'
            '</Code><Message>The request signature we calculated does not match.</Message></Error></Errors>'
            '</ErrorResponse>')

    def step(aws):
        raise ClientError({"Error": {"Code": "403", "Message": body}}, "GetRestApis")

    assert run_step(FakeAws(), step).message == ("This step could not be graded: the emulator answered GetRestApis "
                                                 "with SignatureDoesNotMatch: The request signature we calculated "
                                                 "does not match.")


def test_learner_code_failed_by_the_emulator_is_an_error_not_a_fail(tmp_path):
    from labrunner.grading import run_step
    from labrunner.harness import call_function

    path = tmp_path / "learner.py"
    path.write_text("import boto3\ndef drain(url):\n    return boto3.client('sqs').list_queues()\n")
    env = {"PATH": "/usr/bin:/bin", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "AWS_MAX_ATTEMPTS": "1",
           "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    result = run_step(FakeAws(), lambda aws: call_function(path, "drain", ["q"], env, timeout=30))
    assert result.status is Status.ERROR and one_sentence(result.message), result.message
    assert result.message.startswith("This step could not be graded: the emulator failed while your code ran "
                                     "(drain() in learner.py raised EndpointConnectionError")
    assert "(line 3)" in result.message  # the learner's line, not botocore's
