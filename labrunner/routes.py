"""Calling a deployed API Gateway REST stage from a checker, on backends that serve it.

ministack (and LocalStack) serve ``/restapis/{id}/{stage}/_user_request_/{path}``
but pick the account from the request's signature: an unsigned call lands in
the default account and answers 404.  The call therefore carries an
``Authorization`` header naming the sandbox's key (whose id is the account id
there); nothing is signed for real, the emulators do not check it.
"""

from __future__ import annotations

import urllib.error
import urllib.request

CAPABILITY = "callable_api_routes"


def can_call(aws) -> bool:
    return aws.backend.serves(CAPABILITY)


def not_served_sentence(aws, what: str) -> str:
    return (f"{what} is not verifiable on {aws.backend.name}: it does not serve deployed REST API routes "
            "(`inv backends` lists the backends that do).")


def call_status(aws, api_id: str, stage: str, path: str, timeout: float = 5) -> int | str:
    """The HTTP status of ``GET path`` on the stage, or a few words on why nothing answered."""
    url = f"{aws.endpoint}/restapis/{api_id}/{stage}/_user_request_/{path.lstrip('/')}"
    key = aws.sandbox.checker.access_key
    auth = f"AWS4-HMAC-SHA256 Credential={key}/20260101/{aws.region}/execute-api/aws4_request, " \
           "SignedHeaders=host, Signature=0"
    request = urllib.request.Request(url, headers={"Authorization": auth})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the sandbox's loopback endpoint)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError) as exc:
        return f"no answer ({exc})"
