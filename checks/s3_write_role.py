"""Checker for s3-write-role: bucket, trust policy, a PutObject-only policy, a write signed by the role."""

import json
from urllib.parse import unquote

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

STEP_NEEDS = {4: ("journal",)}  # who signed the upload is only in the journal

WRITE_OPERATIONS = ("PutObject", "CompleteMultipartUpload", "CopyObject")


def check(aws):
    yield from steps(aws, bucket_exists, role_trusts_service_and_account, role_may_only_put, object_written_by_role)


def bucket_exists(aws):
    bucket = aws.names.bucket
    if fetch(aws.s3.head_bucket, Bucket=bucket) is None:
        return failed(f"Bucket {bucket} does not exist yet; create it with your own credentials.")
    return passed(f"Bucket {bucket} exists.")


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def document(value) -> dict:
    """IAM hands policy documents back URL-encoded on some backends, parsed on others."""
    return json.loads(unquote(value)) if isinstance(value, str) else value


def statements(policy: dict) -> list[dict]:
    return [s for s in as_list(policy.get("Statement")) if s.get("Effect") == "Allow"]


def trusted_principals(trust: dict) -> tuple[set, set]:
    """Services and AWS principals allowed sts:AssumeRole ('*' stands for a wildcard principal)."""
    services, accounts = set(), set()
    for statement in statements(trust):
        if "sts:assumerole" not in {a.lower() for a in as_list(statement.get("Action"))}:
            continue
        principal = statement.get("Principal")
        if principal == "*":
            accounts.add("*")
            continue
        services |= set(as_list((principal or {}).get("Service")))
        accounts |= set(as_list((principal or {}).get("AWS")))
    return services, accounts


def in_account(principal: str, account: str) -> bool:
    return principal == account or principal.startswith(f"arn:aws:iam::{account}:")


def role_trusts_service_and_account(aws):
    role_name, service, account = aws.names.role, aws.names.service, aws.account_id
    role = fetch(aws.iam.get_role, RoleName=role_name)
    if role is None:
        return failed(f"Role {role_name} does not exist yet; create it with a trust policy for {service}.")
    services, accounts = trusted_principals(document(role["Role"]["AssumeRolePolicyDocument"]))
    if "*" in accounts:
        return failed(f"Role {role_name}'s trust policy lets any principal (\"*\") assume it; name {service} and "
                      f"your account {aws.names.account_root} instead.")
    if service not in services:
        found = ", ".join(sorted(services)) or "none"
        return failed(f"Role {role_name}'s trust policy does not allow {service} to assume it (services: {found}).")
    strangers = sorted(p for p in accounts if not in_account(p, account))
    if strangers:
        return failed(f"Role {role_name}'s trust policy also trusts {', '.join(strangers)}, outside your account "
                      f"{account}.")
    if not accounts:
        return failed(f"Role {role_name} trusts {service} but not your account; add {aws.names.account_root} as an "
                      "AWS principal so you can assume it from your sandbox.")
    return passed(f"Role {role_name} can be assumed by {service} and from your account {account}.")


def inline_allow_statements(aws, role_name: str) -> list[dict]:
    found = []
    for policy_name in aws.iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        policy = aws.iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)
        found += statements(document(policy["PolicyDocument"]))
    return found


def permission_problem(aws, allows: list[dict]) -> str | None:
    """Why the role's allow statements are broader (or narrower) than PutObject on the prefix."""
    role_name, expected = aws.names.role, f"arn:aws:s3:::{aws.names.bucket}/{aws.names.prefix}*"
    if not allows:
        return f"Role {role_name} has no inline policy allowing anything; expected s3:PutObject on {expected}."
    for statement in allows:
        if "NotAction" in statement or "NotResource" in statement:
            return f"Role {role_name} uses NotAction or NotResource, which allows far more than s3:PutObject."
        actions = [a for a in as_list(statement.get("Action"))]
        extra = [a for a in actions if a.lower() != "s3:putobject"]
        if extra:
            return f"Role {role_name} allows {', '.join(extra)}; expected only s3:PutObject."
        other = [r for r in as_list(statement.get("Resource")) if r != expected]
        if other:
            return f"Role {role_name} allows s3:PutObject on {', '.join(other)}; expected only {expected}."
    return None


def role_may_only_put(aws):
    role_name = aws.names.role
    if fetch(aws.iam.get_role, RoleName=role_name) is None:
        return failed(f"Role {role_name} does not exist, so it has no permissions policy.")
    attached = aws.iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    if attached:
        names = ", ".join(p["PolicyName"] for p in attached)
        return failed(f"Role {role_name} has managed policy {names} attached; expected only the inline "
                      "PutObject policy.")
    problem = permission_problem(aws, inline_allow_statements(aws, role_name))
    if problem:
        return failed(problem, hint="One statement: Action s3:PutObject, Resource the bucket ARN plus "
                      f"/{aws.names.prefix}*.")
    return passed(f"Role {role_name} may only PutObject under s3://{aws.names.bucket}/{aws.names.prefix}.")


def last_write(aws):
    names = aws.names
    writes = [c for c in aws.journal.calls(service="s3", succeeded=True)
              if c.operation in WRITE_OPERATIONS and c.params.get("Key") == names.key
              and c.params.get("Bucket", names.bucket) == names.bucket]
    return writes[-1] if writes else None


def same_role(found_arn: str, role_arn: str) -> bool:
    """Same account and role name (AssumeRole may have been given the ARN without the role's path)."""
    def account_and_name(arn: str):
        parts = arn.split(":")
        return parts[4] if len(parts) > 4 else "", arn.rsplit("/", 1)[-1]
    return account_and_name(found_arn) == account_and_name(role_arn)


def object_written_by_role(aws):
    bucket, key, role_name = aws.names.bucket, aws.names.key, aws.names.role
    exists = fetch(aws.s3.head_bucket, Bucket=bucket) and fetch(aws.s3.head_object, Bucket=bucket, Key=key)
    if not exists:
        return failed(f"Object s3://{bucket}/{key} does not exist; write it with the role's temporary credentials.")
    write = last_write(aws)  # raises JournalUnavailable on backends without a journal: not verifiable
    if write is None:
        return failed(f"Object s3://{bucket}/{key} exists but no PutObject for it appears in your sandbox's call "
                      "journal; write it again with the role's credentials.")
    role = fetch(aws.iam.get_role, RoleName=role_name)
    role_arn = role["Role"]["Arn"] if role else f"arn:aws:iam::{aws.account_id}:role/{role_name}"
    if not write.role_arn:
        return failed(f"Object s3://{bucket}/{key} was last written by {write.operation} signed with the long-lived "
                      f"key {write.access_key} of your own user, not with temporary credentials of {role_name}.",
                      hint="Call AssumeRole and sign the write with AccessKeyId, SecretAccessKey and SessionToken.")
    if not same_role(write.role_arn, role_arn):
        return failed(f"Object s3://{bucket}/{key} was last written with credentials of role {write.role_arn}, "
                      f"not {role_arn}.")
    return passed(f"Object s3://{bucket}/{key} was written with temporary credentials of role {role_name} "
                  f"(key {write.access_key}).")
