"""Checker for iam-role-trust: one trusted principal, a managed policy, an instance profile."""

from labrunner.grading import failed, passed, steps
from labrunner.iam_policies import describe_principals, trusted_principals
from labrunner.lookups import fetch


def check(aws):
    yield from steps(aws, role_trusts_only_service, managed_policy_attached, instance_profile_holds_role)


def fetch_role(aws):
    found = fetch(aws.iam.get_role, RoleName=aws.names.role)
    return found["Role"] if found else None


def role_trusts_only_service(aws):
    role, name, service = fetch_role(aws), aws.names.role, aws.names.service
    if role is None:
        return failed(f"Role {name} does not exist yet; create it with a trust policy for {service}.")
    principals = trusted_principals(role.get("AssumeRolePolicyDocument"))
    found = describe_principals(principals)
    if any(kind == "*" or value == "*" for kind, value in principals):
        return failed(f"Role {name} trusts \"*\", so anyone could assume it; expected only Service {service} "
                      f"(found {found}).")
    if ("Service", service) not in principals:
        return failed(f"Role {name} does not trust Service {service}; its trust policy allows {found}.",
                      hint=f"Principal must be {{\"Service\": \"{service}\"}}.")
    others = [p for p in principals if p != ("Service", service)]
    if others:
        return failed(f"Role {name} trusts {describe_principals(others)} besides Service {service}; expected "
                      f"{service} alone.")
    return passed(f"Role {name} trusts Service {service} and no one else.")


def attached_policies(aws, role: str) -> list[dict]:
    pages = aws.iam.get_paginator("list_attached_role_policies").paginate(RoleName=role)
    return [p for page in pages for p in page["AttachedPolicies"]]


def inline_policies(aws, role: str) -> list[str]:
    return aws.iam.list_role_policies(RoleName=role).get("PolicyNames", [])


def managed_policy_attached(aws):
    name, policy = aws.names.role, aws.names.policy
    if fetch_role(aws) is None:
        return failed(f"Role {name} does not exist, so no policy is attached to it.")
    expected = f"arn:aws:iam::aws:policy/{policy}"
    attached = attached_policies(aws, name)
    if any(p["PolicyArn"] == expected for p in attached):
        return passed(f"Role {name} has the managed policy {policy} attached.")
    inline = inline_policies(aws, name)
    if inline:
        return failed(f"Role {name} has inline policy {', '.join(inline)} but not the managed policy {expected} "
                      "attached; expected the managed one.", hint="Use attach_role_policy, not put_role_policy.")
    found = ", ".join(p["PolicyArn"] for p in attached) or "no policy"
    return failed(f"Role {name} does not have {expected} attached; found {found}.")


def instance_profile_holds_role(aws):
    name, profile_name = aws.names.role, aws.names.profile
    found = fetch(aws.iam.get_instance_profile, InstanceProfileName=profile_name)
    if found is None:
        return failed(f"Instance profile {profile_name} does not exist; EC2 can only carry {name} through one.",
                      hint="create_instance_profile, then add_role_to_instance_profile.")
    roles = [r["RoleName"] for r in found["InstanceProfile"].get("Roles", [])]
    if name not in roles:
        return failed(f"Instance profile {profile_name} holds {', '.join(roles) or 'no role'}; expected {name}.")
    return passed(f"Instance profile {profile_name} holds role {name}.")
