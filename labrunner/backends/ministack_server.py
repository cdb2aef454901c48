"""The runner's ministack launcher: ministack's server plus ``/_labrunner/info``.

ministack's health page has no process id or boot id, which the runner needs
to tell "the server I started" from "something else on that port" and to know
when sandboxes died with a restart.  This wraps ministack's ASGI app with that
route, and ``/_labrunner/lambda/code`` (the contract of
``moto_ext/lambda_code``: a function version's zip and configuration, so
``lambda_runner`` can run handlers exactly as on moto), then runs ministack's
own ``main()``.  ``info`` also says whether handlers can import boto3: they
run in this very interpreter.

Two fixes of ministack's Lambda, measured with the recursion labs: S3
notifications count toward recursive loop detection, as on AWS
(``count_s3_hops``), and a configuration update recycles the handler
processes of the caller's account only (``scope_worker_recycling``).

Only the standard library and ministack are imported: it may run in
ministack's private virtual environment.  Run as
``python -P labrunner/backends/ministack_server.py``.
"""

from __future__ import annotations

import base64
import importlib.metadata
import importlib.util
import json
import os
import sys
import time
import uuid

from urllib.parse import parse_qs

INFO_PATH = "/_labrunner/info"
CODE_PATH = "/_labrunner/lambda/code"
DEPTH_HEADER = b"x-ministack-invoke-depth"  # what ministack's handlers stamp on their SDK calls


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


def count_s3_hops() -> None:
    """An S3 notification invokes its function one hop deeper than the request that caused it.

    ministack counts hops only along Invoke calls (the depth header its
    handlers stamp on every SDK call), so a function writing into its own
    trigger looped for ever: measured with lambda-fix-recursion's deployment,
    one upload made 1000 objects in 14 s, keys past 11 KB at 19 s, no end.
    AWS stops such an S3 loop after about 16 invocations unless the function's
    RecursiveLoop is Allow; with this, ministack does the same.
    """
    from ministack.services import lambda_svc, s3

    deliver = s3._deliver_event_to_lambda

    def deliver_one_hop_deeper(arn: str, event_payload: dict, bucket_region: str) -> None:
        depth = lambda_svc._invoke_depth.get() + 1
        parts = arn.split(":")  # arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        func = lambda_svc._functions.get(parts[6]) if len(parts) > 6 else None
        if func is not None and lambda_svc._recursive_loop_drop(parts[6], func, depth) is not None:
            return  # dropped, logged and counted in RecursiveInvocationsDropped, as by Invoke
        token = lambda_svc._invoke_depth.set(depth)
        try:
            deliver(arn, event_payload, bucket_region)  # its thread copies the context, depth included
        finally:
            lambda_svc._invoke_depth.reset(token)

    s3._deliver_event_to_lambda = deliver_one_hop_deeper


def scope_worker_recycling() -> None:
    """UpdateFunctionConfiguration recycles the function's warm workers in the caller's account only.

    ministack 1.5.33 passes no account there, so it killed the workers of
    every account's function of that name: measured, concurrent sandboxes of
    one lab failed each other's invocations ("Worker process exited
    immediately").  Its other callers already pass the account.
    """
    from ministack.services import lambda_svc

    invalidate = lambda_svc.invalidate_worker

    def in_callers_account(func_name, qualifier=None, account=None, region=None):
        invalidate(func_name, qualifier=qualifier, account=account or lambda_svc.get_account_id(), region=region)

    lambda_svc.invalidate_worker = in_callers_account


def inbound_depth(scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == DEPTH_HEADER and value.isdigit():
            return int(value)
    return None


def wrap(app, info: dict):
    from ministack.services import lambda_svc

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
        depth = inbound_depth(scope) if path else None
        if depth is None:
            return await app(scope, receive, send)
        token = lambda_svc._invoke_depth.set(depth)  # a handler's call: see count_s3_hops
        try:
            await app(scope, receive, send)
        finally:
            lambda_svc._invoke_depth.reset(token)

    return with_routes


def main() -> None:
    if os.environ.get("BIND_HOST") != "127.0.0.1":
        sys.exit("refusing to start ministack without BIND_HOST=127.0.0.1")
    import ministack.app as ministack_app

    info = {"backend": "ministack", "pid": os.getpid(), "boot_id": uuid.uuid4().hex,
            "version": importlib.metadata.version("ministack"), "started_at": time.time(),
            "port": int(os.environ["GATEWAY_PORT"]),
            "lambda_boto3": importlib.util.find_spec("boto3") is not None}
    count_s3_hops()
    scope_worker_recycling()
    ministack_app.app = wrap(ministack_app.app, info)  # main() serves the module global `app`
    sys.argv = ["ministack"]
    ministack_app.main()


if __name__ == "__main__":
    main()
