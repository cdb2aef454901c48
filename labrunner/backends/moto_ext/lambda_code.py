"""The deployed code of a Lambda function version, for running it locally.

moto stores a function's zip but runs it only through Docker, and the
``Code.Location`` that ``GetFunction`` returns is an address on a real AWS
host that moto does not serve (never fetch it).  This extension hands the zip
and the configuration that goes with it to the runner:

* ``GET /_labrunner/lambda/code?account=ID&region=R&function=NAME&qualifier=Q``
  answers ``{"function", "version", "handler", "runtime", "timeout",
  "memory", "environment", "arn", "zip_base64"}`` for ``$LATEST``, a version
  number or an alias (resolved to the version it points at), 404 when there
  is no such function or qualifier.

It adds no operation to moto's Lambda API.  ``lambda_runner`` is the client.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

CODE_PATH = "/_labrunner/lambda/code"


def describe(function) -> dict:
    """The parts of a moto ``LambdaFunction`` needed to run it."""
    return {
        "function": function.function_name,
        "version": str(function.version),
        "arn": function.function_arn,
        "handler": function.handler,
        "runtime": function.run_time,
        "timeout": function.timeout,
        "memory": function.memory_size,
        "environment": dict(function.environment_vars or {}),
        "zip_base64": base64.b64encode(function.code_bytes or b"").decode(),
    }


def find_function(account: str, region: str, name: str, qualifier: str | None):
    from moto.awslambda.models import lambda_backends

    backend = lambda_backends[account][region]
    return backend.get_function(name, qualifier or None)


def serve_code(environ) -> tuple[int, dict]:
    from moto.awslambda.exceptions import LambdaClientError

    if environ.get("REQUEST_METHOD", "GET") != "GET":
        return 405, {"error": "use GET"}
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if not query.get("account") or not query.get("function"):
        return 400, {"error": "account and function are required"}
    try:
        function = find_function(query["account"], query.get("region", "us-east-1"), query["function"],
                                 query.get("qualifier"))
    except (LambdaClientError, KeyError) as exc:
        return 404, {"error": f"no such function or qualifier: {exc}"}
    return 200, describe(function)


ROUTES = {CODE_PATH: serve_code}
