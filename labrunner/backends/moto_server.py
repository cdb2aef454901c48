"""The runner's moto launcher: moto's server plus a call journal.

moto's own request recorder keeps whole bodies (a 15 MiB upload becomes 20 MB
of base64), has no timestamps and cannot be filtered by account, so the runner
wraps moto's WSGI application in a small middleware instead.  It records each
AWS request's method, path, query, the headers that carry parameters and small
bodies, tagged with the account and access key that signed it, and serves the
records at ``GET /_labrunner/journal?account=ID&since=SEQ``.

Run as ``python -m labrunner.backends.moto_server --port PORT``.
"""

from __future__ import annotations

import argparse
import base64
import collections
import itertools
import json
import os
import re
import sys
import threading
import time
import uuid
from io import BytesIO
from urllib.parse import parse_qs

MAX_RECORDED_BODY = 64 * 1024
MAX_CALLS_PER_ACCOUNT = 20_000
KEPT_HEADERS = ("content-type", "content-length", "x-amz-target")
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/")


class Journal:
    """Calls per account, bounded, safe for the threaded server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._calls: dict[str, collections.deque] = collections.defaultdict(
            lambda: collections.deque(maxlen=MAX_CALLS_PER_ACCOUNT)
        )

    def add(self, call: dict) -> None:
        with self._lock:
            call["seq"] = next(self._seq)
            self._calls[call["account"]].append(call)

    def since(self, account: str, seq: int) -> list[dict]:
        with self._lock:
            return [c for c in self._calls.get(account, ()) if c["seq"] > seq]


def signer_of(environ: dict) -> tuple[str, str, str]:
    """Access key, region and signing service of a request ('' when unsigned)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = CREDENTIAL.search(auth)
    if not match:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        credential = query.get("X-Amz-Credential", [""])[0]
        match = re.match(r"([^/]+)/[^/]+/([^/]+)/([^/]+)/", credential)
    return match.groups() if match else ("", "", "")


def account_of(access_key: str) -> tuple[str, str]:
    """The moto account an access key belongs to, and the role it stands for."""
    from .moto_ext.account_lookup import get_account_id_from, role_arn_of

    account = get_account_id_from(access_key)
    return account, role_arn_of(account, access_key)


def read_small_body(environ: dict) -> tuple[str | None, int]:
    """Read the body when it is small, leaving a fresh stream for moto."""
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size == 0 or size > MAX_RECORDED_BODY:
        return None, size
    body = environ["wsgi.input"].read(size)
    environ["wsgi.input"] = BytesIO(body)
    try:
        return body.decode("utf-8"), size
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(body).decode(), size


class JournalMiddleware:
    def __init__(self, app, journal: Journal, info: dict, routes: dict | None = None) -> None:
        self.app = app
        self.journal = journal
        self.info = info
        self.routes = routes or {}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_labrunner/"):
            return self.serve_own(path, environ, start_response)
        access_key, region, service = signer_of(environ)
        if not access_key or path.startswith("/moto-api"):
            return self.app(environ, start_response)
        body, size = read_small_body(environ)
        call = {
            "time": time.time(),
            "access_key": access_key,
            "region": region,
            "service": service,
            "method": environ.get("REQUEST_METHOD", ""),
            "path": path,
            "query": environ.get("QUERY_STRING", ""),
            "headers": self.kept_headers(environ),
            "body": body,
            "body_size": size,
        }

        def recording_start_response(status, headers, exc_info=None):
            call["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, recording_start_response)
        finally:
            call["account"], call["role_arn"] = account_of(access_key)
            self.journal.add(call)

    @staticmethod
    def kept_headers(environ: dict) -> dict:
        headers = {}
        for key, value in environ.items():
            if not key.startswith("HTTP_") and key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                continue
            name = key.removeprefix("HTTP_").replace("_", "-").lower()
            if name in KEPT_HEADERS or (name.startswith("x-amz-") and name != "x-amz-security-token"):
                headers[name] = value
        return headers

    def serve_own(self, path, environ, start_response):
        if path == "/_labrunner/info":
            payload = self.info
        elif path == "/_labrunner/journal":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            account = query.get("account", [""])[0]
            since = int(query.get("since", ["0"])[0])
            payload = self.journal.since(account, since)
        elif path in self.routes:
            code, payload = self.routes[path](environ)
            start_response(f"{code} {'OK' if code < 400 else 'Error'}", [("Content-Type", "application/json")])
            return [json.dumps(payload, default=str).encode()]
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"error": "unknown runner endpoint"}']
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(payload).encode()]


def build_app():
    """moto's dispatcher wrapped in the journal; returns (app, info)."""
    from moto import __version__ as moto_version
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    info = {
        "backend": "moto",
        "boot_id": uuid.uuid4().hex,
        "pid": os.getpid(),
        "started_at": time.time(),
        "moto_version": moto_version,
        "journal": True,
    }
    from .moto_ext import install

    routes = install()
    app = DomainDispatcherApplication(create_backend_app)
    return JournalMiddleware(app, Journal(), info, routes), info


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    os.environ["MOTO_PORT"] = str(args.port)

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import run_simple

    app, _ = build_app()
    print(f"labrunner moto server on http://{args.host}:{args.port}", flush=True)
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    sys.exit(main())
