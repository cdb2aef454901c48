"""Reading IAM policy documents in checkers: trust policies and their principals.

IAM answers with a document as a dict (boto3 decodes it) on some backends and
as URL-encoded JSON text on others; a statement, an action or a principal may
each be one value or a list.  These helpers flatten all of that.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

ASSUME_ACTIONS = {"sts:assumerole", "sts:*", "*"}


def as_document(document) -> dict:
    """A policy document as a dict, whatever form the backend returned."""
    if isinstance(document, dict):
        return document
    if not document:
        return {}
    text = document if document.lstrip().startswith("{") else unquote(document)
    return json.loads(text)


def as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def statements(document) -> list[dict]:
    return [s for s in as_list(as_document(document).get("Statement")) if isinstance(s, dict)]


def allows_assume_role(statement: dict) -> bool:
    actions = {a.lower() for a in as_list(statement.get("Action"))}
    return statement.get("Effect") == "Allow" and bool(actions & ASSUME_ACTIONS)


def trusted_principals(document) -> list[tuple[str, str]]:
    """(kind, value) of every principal an Allow statement lets assume the role.

    kind is ``AWS``, ``Service``, ``Federated`` or ``*`` (for ``"Principal": "*"``).
    """
    found = []
    for statement in statements(document):
        if not allows_assume_role(statement):
            continue
        principal = statement.get("Principal")
        if principal == "*":
            found.append(("*", "*"))
            continue
        for kind, values in (principal or {}).items():
            found.extend((kind, str(v)) for v in as_list(values))
    return found


def account_of_principal(value: str) -> str | None:
    """The account an AWS principal (ARN or bare 12-digit id) belongs to."""
    if value.isdigit() and len(value) == 12:
        return value
    parts = value.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else None


def describe_principals(principals: list[tuple[str, str]]) -> str:
    if not principals:
        return "no principal allowed to call sts:AssumeRole"
    return ", ".join("\"*\" (anyone)" if kind == "*" else f"{kind} {value}" for kind, value in principals)
