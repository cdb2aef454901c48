"""Calling a deployed API Gateway REST stage from a checker, on backends that serve it.

ministack (and LocalStack) serve ``/restapis/{id}/{stage}/_user_request_/{path}``
but pick the account from the request's signature: an unsigned call lands in
the default account and answers 404.  The call therefore carries an
``Authorization`` header naming the sandbox's key (whose id is the account id
there); nothing is signed for real, the emulators do not check it.

The emulators really proxy HTTP and HTTP_PROXY integrations (ministack does,
measured with 1.5.33): calling a stage whose API sends a method to
``http://backend.internal/...`` makes the emulator look that host up off the
machine.  ``call_status`` therefore reads the API's integrations first and
raises ``Refused`` (with a sentence for a NOT VERIFIABLE result) when any of
them, with the stage's variables filled in, names a host that is not loopback.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.error
import urllib.parse
import urllib.request

from .lookups import fetch

CAPABILITY = "callable_api_routes"
PROXIED = ("HTTP", "HTTP_PROXY")
STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


class Refused(Exception):
    """The stage was not called: an integration would send the emulator off this machine."""

    def __init__(self, sentence: str):
        super().__init__(sentence)
        self.sentence = sentence


def can_call(aws) -> bool:
    return aws.backend.serves(CAPABILITY)


def not_served_sentence(aws, what: str) -> str:
    return (f"{what} is not verifiable on {aws.backend.name}: it does not serve deployed REST API routes "
            "(`inv backends` lists the backends that do).")


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_of(uri: str, variables: dict) -> str | None:
    """The host ``uri`` names once the stage's variables are filled in; None when it names none."""
    filled = STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), uri or "")
    try:
        return urllib.parse.urlsplit(filled).hostname
    except ValueError:
        return None


def integrations(aws, api_id: str):
    """(method and path, integration) for every method of the API as it is now."""
    resources = aws.apigateway.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    for resource in resources:
        for verb, method in (resource.get("resourceMethods") or {}).items():
            integration = method.get("methodIntegration") or fetch(
                aws.apigateway.get_integration, restApiId=api_id, resourceId=resource["id"], httpMethod=verb) or {}
            yield f"{verb} {resource['path']}", integration


def off_machine(aws, api_id: str, stage: str) -> list[str]:
    """The API's HTTP integrations that would send the emulator to a host other than loopback."""
    found = fetch(aws.apigateway.get_stage, restApiId=api_id, stageName=stage) or {}
    variables = found.get("variables") or {}
    return [f"{where} to {integration.get('uri') or 'no address'}" for where, integration in integrations(aws, api_id)
            if integration.get("type") in PROXIED and not is_loopback(host_of(integration.get("uri"), variables))]


def guard(aws, api_id: str, stage: str) -> None:
    """Raise ``Refused`` unless calling the stage keeps the emulator on this machine."""
    targets = off_machine(aws, api_id, stage)
    if targets:
        raise Refused(f"Calling stage {stage} is not verifiable here: its API sends {'; '.join(targets)}, a host "
                      "off this machine, and the runner calls nothing beyond 127.0.0.1.")


def call_status(aws, api_id: str, stage: str, path: str, timeout: float = 5) -> int | str:
    """The HTTP status of ``GET path`` on the stage, or a few words on why nothing answered.

    Raises ``Refused`` (see ``guard``) instead of calling a stage that would proxy off the machine.
    """
    guard(aws, api_id, stage)
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
