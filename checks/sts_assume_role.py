"""Checker for sts-assume-role: a role you may assume, and a session signed as it."""

import secrets

from labrunner.grading import failed, passed, steps
from labrunner.iam_policies import account_of_principal, describe_principals, trusted_principals
from labrunner.lookups import fetch


def check(aws):
    yield from steps(aws, role_trusts_own_account, session_signs_as_role, session_carries_name)


def role_arn(aws) -> str:
    return f"arn:aws:iam::{aws.account_id}:role/{aws.names.role}"


def fetch_role(aws):
    found = fetch(aws.iam.get_role, RoleName=aws.names.role)
    return found["Role"] if found else None


def role_trusts_own_account(aws):
    role = fetch_role(aws)
    name = aws.names.role
    if role is None:
        return failed(f"Role {name} does not exist yet; create it with a trust policy for your account.")
    principals = trusted_principals(role.get("AssumeRolePolicyDocument"))
    found = describe_principals(principals)
    if any(kind == "*" or value == "*" for kind, value in principals):
        return failed(f"Role {name} trusts \"*\", so any AWS account could assume it; expected a principal "
                      f"of account {aws.account_id} (found {found}).", hint="Name your own ARN or your "
                      "account's root ARN in Principal.AWS.")
    own = [v for kind, v in principals if kind == "AWS" and account_of_principal(v) == aws.account_id]
    if not own:
        return failed(f"Role {name} does not let a principal of account {aws.account_id} call sts:AssumeRole; "
                      f"its trust policy allows {found}.", hint="A Service principal is for AWS services; "
                      "you assume the role as an AWS principal.")
    strangers = [v for kind, v in principals if kind == "AWS" and account_of_principal(v) != aws.account_id]
    if strangers:
        return failed(f"Role {name} also trusts {', '.join(strangers)}, outside account {aws.account_id}; "
                      "expected only principals of your own account.")
    return passed(f"Role {name} lets {', '.join(own)} assume it.")


def assumed_arn_prefix(aws) -> str:
    return f":assumed-role/{aws.names.role}/"


def session_signs_as_role(aws):
    name = aws.names.role
    if fetch_role(aws) is None:
        return failed(f"Role {name} does not exist, so session_for cannot assume it.")
    arn = aws.call_code("whoami", role_arn(aws), f"check-{secrets.token_hex(3)}")
    if not isinstance(arn, str):
        return failed(f"whoami() returned {arn!r}; expected the ARN string from get_caller_identity.")
    if assumed_arn_prefix(aws) not in arn:
        mine = ":user/" in arn or ":root" in arn
        why = " (your own identity: the session still signs with your own keys)" if mine else ""
        return failed(f"The session from session_for signs as {arn}{why}; expected "
                      f"arn:aws:sts::{aws.account_id}:assumed-role/{name}/<session name>.",
                      hint="Build the session on the Credentials that sts.assume_role returns.")
    return passed(f"The session from session_for signs as role {name} ({arn}).")


def session_carries_name(aws):
    name = aws.names.role
    if fetch_role(aws) is None:
        return failed(f"Role {name} does not exist, so no session of it can be named.")
    for session_name in (f"auditor-{secrets.token_hex(3)}", f"nightly-{secrets.token_hex(3)}"):
        arn = aws.call_code("whoami", role_arn(aws), session_name)
        if not isinstance(arn, str) or assumed_arn_prefix(aws) not in arn:
            return failed(f"whoami(..., {session_name!r}) signs as {arn!r}, not as role {name}.")
        if not arn.endswith("/" + session_name):
            return failed(f"whoami(..., {session_name!r}) signs as {arn}; expected the session name "
                          f"{session_name} at the end: pass `name` as RoleSessionName.")
    return passed(f"Sessions of role {name} carry the name they were asked for.")
