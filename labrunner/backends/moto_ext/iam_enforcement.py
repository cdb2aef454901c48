"""IAM enforcement for some accounts only, on a server that many sandboxes share.

moto's own switch is global: ``settings.INITIAL_NO_AUTH_ACTION_COUNT`` (or
``POST /moto-api/reset-auth``) turns authentication and authorization on for
every request to the server, so one lab that needs it would break every other
sandbox on the same emulator.  This extension keeps a set of *enforced
accounts*: a request whose account (``current_account``, found from its access
key) is in the set is authenticated and authorized exactly as moto does when
its switch is on; every other request goes through moto's unchanged code, so
the global switch keeps working as before.

Within an enforced account one thing differs from moto, towards AWS: a role
whose trust policy names the account (``arn:aws:iam::<account>:root`` or the
bare account id) may be assumed by that account's principals whose own policies
allow ``sts:AssumeRole`` on it (moto only honours an exact principal ARN).
A request without a SigV4 ``Authorization`` header (unsigned, or presigned in
its query string) is refused in an enforced account instead of crashing.

Endpoints (JSON):
- ``POST /_labrunner/enforce-iam`` with ``{"account": "<12 digits>", "enforce": true}``
  (``false`` turns it off again) answers ``{"account": ..., "enforced": bool}``;
- ``GET /_labrunner/enforce-iam?account=<id>`` answers the same for one account, and
  without ``account`` lists the enforced accounts.

Tested in tests/engine/test_iam_enforcement_ext.py; written for moto >=5.2.5,<5.3.
"""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import parse_qs, urlparse

from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError
from moto.iam.access_control import IAMRequest, PermissionResult, S3IAMRequest
from moto.s3.exceptions import S3AccessDeniedError

ROUTE = "/_labrunner/enforce-iam"
ACCOUNT_ID = re.compile(r"^\d{12}$")

_enforced: set[str] = set()
_lock = threading.Lock()
_original = ActionAuthenticatorMixin._authenticate_and_authorize_action


def enforce(account_id: str, on: bool = True) -> None:
    with _lock:
        (_enforced.add if on else _enforced.discard)(account_id)


def is_enforced(account_id: str | None) -> bool:
    return account_id in _enforced


class _AccountTrustMixin:
    """A trust policy naming the account lets in the account's principals (as on AWS)."""

    def _check_role_trust_relationship(self, role_arn: str) -> bool:
        if super()._check_role_trust_relationship(role_arn):  # type: ignore[misc]
            return True
        from moto.iam.access_control import IAMPolicy
        from moto.iam.utils import format_incoming_conditional_values

        role = self.backend.get_role_by_arn(role_arn)  # type: ignore[attr-defined]
        trust = IAMPolicy(role.assume_role_policy_document)
        conditions = format_incoming_conditional_values(self._data)  # type: ignore[attr-defined]
        partition = self._access_key.partition  # type: ignore[attr-defined]
        account = self.account_id  # type: ignore[attr-defined]
        return any(trust.is_action_permitted(self._action, role_arn, principal, conditions)  # type: ignore[attr-defined]
                   == PermissionResult.PERMITTED
                   for principal in (f"arn:{partition}:iam::{account}:root", account))


class _EnforcedIAMRequest(_AccountTrustMixin, IAMRequest):
    pass


class _EnforcedS3IAMRequest(_AccountTrustMixin, S3IAMRequest):
    pass


ENFORCED_CLASSES = {IAMRequest: _EnforcedIAMRequest, S3IAMRequest: _EnforcedS3IAMRequest}


def _refuse_unsigned(response, iam_request_cls: type) -> None:
    if issubclass(iam_request_cls, S3IAMRequest):
        raise S3AccessDeniedError()
    raise AccessDeniedError(user_arn="anonymous", action=response._get_action())


def _authenticate_and_authorize_action(self, iam_request_cls: type, resource: str = "*") -> None:
    """moto's enforced branch for enforced accounts; moto's own code for every other request."""
    if not is_enforced(getattr(self, "current_account", None)):
        return _original(self, iam_request_cls, resource)
    if self.headers.get("X-Amz-Target") in ActionAuthenticatorMixin.PUBLIC_OPERATIONS:
        return None
    if "AWS4-HMAC-SHA256" not in (self.headers.get("Authorization") or ""):
        _refuse_unsigned(self, iam_request_cls)
    path = self.raw_path
    query = urlparse(self.uri).query
    if query:
        path += "?" + query
    iam_request = ENFORCED_CLASSES.get(iam_request_cls, iam_request_cls)(
        account_id=self.current_account,
        method=self.method,
        path=path,
        data=self.data,
        body=self.raw_body,
        headers=self.headers,
        action=self._get_action(),
    )
    iam_request.check_signature()
    iam_request.check_action_permitted(resource)
    return None


def serve(environ) -> tuple[int, dict]:
    if environ.get("REQUEST_METHOD") == "GET":
        account = parse_qs(environ.get("QUERY_STRING", "")).get("account", [""])[0]
        if account:
            return 200, {"account": account, "enforced": is_enforced(account)}
        return 200, {"enforced": sorted(_enforced)}
    if environ.get("REQUEST_METHOD") != "POST":
        return 405, {"error": "use GET or POST"}
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(size) or b"{}")
    except (ValueError, KeyError):
        return 400, {"error": "the body must be JSON: {\"account\": \"<12 digits>\", \"enforce\": true}"}
    account = str(request.get("account", "")) if isinstance(request, dict) else ""
    if not ACCOUNT_ID.match(account):
        return 400, {"error": "\"account\" must be a 12-digit account id"}
    enforce(account, bool(request.get("enforce", True)))
    return 200, {"account": account, "enforced": is_enforced(account)}


def install() -> None:
    ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_and_authorize_action


ROUTES = {ROUTE: serve}
