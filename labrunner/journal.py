"""The call journal, seen from a checker: which operations the learner called.

The server records raw HTTP requests; this module names each one with the
botocore operation it is (``ReceiveMessage``, ``UploadPart``) and its
parameters under botocore's member names, so checkers can ask
``aws.journal.calls("ReceiveMessage")`` whatever protocol the service speaks.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote

from .sessions import isolated_botocore

# Signing names that differ from botocore's service names, or are shared.
SIGNING_NAME_SERVICES = {
    "apigateway": ("apigateway", "apigatewayv2"),
    "execute-api": ("apigatewaymanagementapi",),
    "cognito-idp": ("cognito-idp",),
    "application-autoscaling": ("application-autoscaling",),
    "elasticbeanstalk": ("elasticbeanstalk",),
    "monitoring": ("cloudwatch",),
    "events": ("events",),
    "logs": ("logs",),
    "email": ("ses", "sesv2"),
    "ssm": ("ssm",),
}


@dataclass(frozen=True)
class Call:
    """One API request the learner made in the sandbox."""

    seq: int
    time: float
    service: str
    operation: str
    params: dict
    access_key: str
    role_arn: str
    status: int
    body_size: int = 0
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def succeeded(self) -> bool:
        return 200 <= self.status < 300


@functools.lru_cache(maxsize=None)
def _botocore_session():
    return isolated_botocore(shared_models=False)


@functools.lru_cache(maxsize=None)
def service_model(name: str):
    try:
        return _botocore_session().get_service_model(name)
    except Exception:
        return None


def candidate_models(signing_name: str):
    names = SIGNING_NAME_SERVICES.get(signing_name, (signing_name,))
    return [m for m in map(service_model, names) if m is not None]


@functools.lru_cache(maxsize=None)
def _rest_routes(service_name: str):
    """Per operation: method, path regex, literal query keys, required locations."""
    model = service_model(service_name)
    routes = []
    for op_name in model.operation_names:
        op = model.operation_model(op_name)
        uri = op.http.get("requestUri", "/")
        path, _, query = uri.partition("?")
        pattern = "^" + re.sub(r"\\\{([^}]+?)(\\\+)?\\\}", _label_pattern, re.escape(path.rstrip("/") or "/")) + "/?$"
        literal_keys = tuple(k.split("=")[0] for k in query.split("&") if k and not k.startswith("x-id"))
        required = _required_locations(op)
        rank = (len(literal_keys), len(required), not op.deprecated, len(re.sub(r"\{[^}]+\}", "", path)))
        routes.append((rank, op_name, op.http.get("method", "POST"), re.compile(pattern), literal_keys, required))
    routes.sort(key=lambda r: r[0], reverse=True)
    return routes


def _label_pattern(match) -> str:
    name = _group(match.group(1))
    return f"(?P<{name}>.+)" if match.group(2) else f"(?P<{name}>[^/]+)"


def _required_locations(op) -> tuple:
    """(location, wire name) of required members sent in the query or headers."""
    shape = op.input_shape
    if shape is None:
        return ()
    found = []
    for member in shape.required_members:
        ser = shape.members[member].serialization
        if ser.get("location") in ("querystring", "header"):
            found.append((ser["location"], ser.get("name", member).lower()))
    return tuple(found)


def _group(label: str) -> str:
    return re.sub(r"\W", "_", label)


def _rest_operation(model, method: str, path: str, query: dict, headers: dict):
    lower_query = {k.lower() for k in query}
    for _, op_name, op_method, pattern, keys, required in _rest_routes(model.service_name):
        if op_method != method:
            continue
        match = pattern.match(path)
        if not match or not all(k in query for k in keys):
            continue
        if all((name in lower_query) if loc == "querystring" else (name in headers) for loc, name in required):
            return op_name, {k: unquote(v) for k, v in match.groupdict().items()}
    return None, {}


def _located_params(operation_model, query: dict, headers: dict, labels: dict) -> dict:
    """Map query strings, headers and URI labels back to member names."""
    params: dict = {}
    shape = operation_model.input_shape
    if shape is None:
        return params
    for member, member_shape in shape.members.items():
        location = member_shape.serialization.get("location")
        name = member_shape.serialization.get("name", member)
        if location == "querystring" and name in query:
            params[member] = query[name][0]
        elif location == "header" and name.lower() in headers:
            params[member] = headers[name.lower()]
        elif location == "uri" and _group(name) in labels:
            params[member] = labels[_group(name)]
    return params


def _body_params(body: str | None) -> dict:
    if not body or body.startswith("base64:"):
        return {}
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def classify(raw: dict) -> tuple[str, dict]:
    """The botocore operation name and parameters of one recorded request."""
    headers = raw.get("headers", {})
    body = raw.get("body")
    target = headers.get("x-amz-target")
    if target:
        return target.rsplit(".", 1)[-1], _body_params(body)
    form = {}
    if body and "application/x-www-form-urlencoded" in headers.get("content-type", ""):
        form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    query = parse_qs(raw.get("query", ""), keep_blank_values=True)
    action = form.get("Action") or (query.get("Action") or [None])[0]
    if action:
        params = {k: v for k, v in form.items() if k not in ("Action", "Version")}
        params.update({k: v[0] for k, v in query.items() if k not in ("Action", "Version")})
        return action, params
    for model in candidate_models(raw.get("service", "")):
        if model.protocol not in ("rest-json", "rest-xml"):
            continue
        op_name, labels = _rest_operation(model, raw["method"], raw["path"], query, headers)
        if op_name:
            params = _located_params(model.operation_model(op_name), query, headers, labels)
            if model.protocol == "rest-json":
                params.update(_body_params(body))
            return op_name, params
    return f"{raw.get('method', '')} {raw.get('path', '')}", {}


def to_call(raw: dict) -> Call:
    operation, params = classify(raw)
    return Call(
        seq=raw["seq"],
        time=raw["time"],
        service=raw.get("service", ""),
        operation=operation,
        params=params,
        access_key=raw.get("access_key", ""),
        role_arn=raw.get("role_arn", ""),
        status=raw.get("status", 0),
        body_size=raw.get("body_size", 0),
        raw=raw,
    )


class Journal:
    """The learner's calls in one sandbox, read from the backend on demand.

    ``fetch`` is a function returning raw records newer than a sequence number;
    calls signed by ``exclude_keys`` (the checker's own key) are left out.
    """

    available = True

    def __init__(self, fetch, exclude_keys=()) -> None:
        self._fetch = fetch
        self._exclude = set(exclude_keys)

    def calls(self, operation: str | None = None, *, since: int = 0, service: str | None = None,
              succeeded: bool | None = None) -> list[Call]:
        found = []
        for raw in self._fetch(since):
            if raw.get("access_key") in self._exclude:
                continue
            call = to_call(raw)
            if operation and call.operation != operation:
                continue
            if service and call.service != service:
                continue
            if succeeded is not None and call.succeeded != succeeded:
                continue
            found.append(call)
        return found

    def mark(self) -> int:
        """A sequence number: pass it as ``since`` to see only later calls."""
        records = self._fetch(0)
        return max((r["seq"] for r in records), default=0)


class NoJournal:
    """Stands in on backends that record nothing."""

    available = False

    def calls(self, *args, **kwargs):
        raise JournalUnavailable()

    def mark(self) -> int:
        return 0


class JournalUnavailable(Exception):
    """A check step needs the journal but the backend keeps none."""
