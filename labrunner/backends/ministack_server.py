"""The runner's ministack launcher: ministack's server plus ``/_labrunner/info``.

ministack's health page has no process id or boot id, which the runner needs
to tell "the server I started" from "something else on that port" and to know
when sandboxes died with a restart.  This wraps ministack's ASGI app with that
route, and ``/_labrunner/lambda/code`` (the contract of
``moto_ext/lambda_code``: a function version's zip and configuration, so
``lambda_runner`` can run handlers exactly as on moto), then runs ministack's
own ``main()``.  Only the standard library
and ministack are imported: it may run in ministack's private virtual
environment.  Run as ``python -P labrunner/backends/ministack_server.py``.
"""

from __future__ import annotations

import importlib.metadata
import base64
import json
import os
import sys
import time
import uuid

from urllib.parse import parse_qs

INFO_PATH = "/_labrunner/info"
CODE_PATH = "/_labrunner/lambda/code"


def lambda_code(query: dict) -> tuple[int, dict]:
    """A function version's zip and configuration, resolved like ministack's own Invoke."""
    from ministack.services import lambda_svc

    if not query.get("account") or not query.get("function"):
        return 400, {"error": "account and function are required"}
    func = lambda_svc._functions.get_scoped(query["account"], query.get("region", "us-east-1"), query["function"])
    record, config = lambda_svc._effective_func_record_for_qualifier(func, query.get("qualifier") or None)
    if record is None:
        return 404, {"error": "no such function or qualifier"}
    return 200, {"function": config.get("FunctionName"), "version": str(config.get("Version", "$LATEST")),
                 "arn": config.get("FunctionArn"), "handler": config.get("Handler"),
                 "runtime": config.get("Runtime"), "timeout": config.get("Timeout", 3),
                 "memory": config.get("MemorySize", 128),
                 "environment": dict((config.get("Environment") or {}).get("Variables") or {}),
                 "zip_base64": base64.b64encode(record.get("code_zip") or b"").decode()}


async def answer(send, status: int, payload: dict) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


def wrap(app, info: dict):
    async def with_routes(scope, receive, send):
        path = scope.get("path") if scope["type"] == "http" else None
        if path == INFO_PATH:
            return await answer(send, 200, info)
        if path == CODE_PATH:
            query = {k: v[0] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
            try:
                return await answer(send, *lambda_code(query))
            except Exception as exc:  # a ministack internals change: say so, do not crash the server
                return await answer(send, 500, {"error": f"{type(exc).__name__}: {exc}"})
        await app(scope, receive, send)

    return with_routes


def main() -> None:
    if os.environ.get("BIND_HOST") != "127.0.0.1":
        sys.exit("refusing to start ministack without BIND_HOST=127.0.0.1")
    import ministack.app as ministack_app

    info = {"backend": "ministack", "pid": os.getpid(), "boot_id": uuid.uuid4().hex,
            "version": importlib.metadata.version("ministack"), "started_at": time.time(),
            "port": int(os.environ["GATEWAY_PORT"])}
    ministack_app.app = wrap(ministack_app.app, info)  # main() serves the module global `app`
    sys.argv = ["ministack"]
    ministack_app.main()


if __name__ == "__main__":
    main()
