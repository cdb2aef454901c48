"""Checker for sts-fix-trust-policy: a trust policy naming exactly the learner, an AssumeRole, a write as the role."""

import json
from fnmatch import fnmatchcase

from botocore.exceptions import BotoCoreError, ClientError

from labrunner.grading import failed, passed, steps
from labrunner.iam_policies import as_document, as_list, describe_principals, statements, trusted_principals
from labrunner.lookups import fetch

STEP_NEEDS = {1: ("sandbox_iam_users",), 2: ("journal",), 3: ("journal",)}

OLD_VERSION = "2026.11.4"
TRUST_CHANGES = ("UpdateAssumeRolePolicy", "CreateRole")


def setup(aws):
    """A release role that trusts the contractor's user instead of the learner's, and the parameter it may write."""
    names, iam = aws.names, aws.iam
    contractor = iam.create_user(UserName=names.contractor)["User"]["Arn"]
    iam.create_role(RoleName=names.role, Description="Approves releases by writing the approved version",
                    AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Principal": {"AWS": contractor}, "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName=names.role, PolicyName="write-approved-version",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                            "Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:PutParameter"],
                            "Resource": parameter_arn(aws)}]}))
    aws.ssm.put_parameter(Name=names.parameter, Value=OLD_VERSION, Type="String",
                          Description="The release the pipeline may ship")


def check(aws):
    yield from steps(aws, trusts_exactly_you, assumed_after_the_fix, parameter_written_as_role)


def parameter_arn(aws) -> str:
    return f"arn:aws:ssm:{aws.region}:{aws.account_id}:parameter/{aws.names.parameter.lstrip('/')}"


def role_arn(aws) -> str:
    return f"arn:aws:iam::{aws.account_id}:role/{aws.names.role}"


def fetch_role(aws):
    found = fetch(aws.iam.get_role, RoleName=aws.names.role)
    return found["Role"] if found else None


def learner_arn(aws) -> str:
    """The ARN of the sandbox user whose keys the learner holds (read with the checker's own key)."""
    try:
        user = aws.iam.get_access_key_last_used(AccessKeyId=aws.sandbox.learner.access_key)["UserName"]
        return aws.iam.get_user(UserName=user)["User"]["Arn"]
    except (BotoCoreError, ClientError, KeyError):
        # A backend without GetAccessKeyLastUsed (or with 12-digit key ids): ask STS with the learner's
        # key, at the cost of one harmless GetCallerIdentity in the journal.
        return aws.as_learner().sts.get_caller_identity()["Arn"]


def same_role(found_arn: str, wanted_arn: str) -> bool:
    """Same account and role name (the ARN may or may not carry the role's path)."""
    def account_and_name(arn: str):
        parts = arn.split(":")
        return (parts[4] if len(parts) > 4 else ""), arn.rsplit("/", 1)[-1]
    return account_and_name(found_arn) == account_and_name(wanted_arn)


# --- step 1: the trust policy ---------------------------------------------

def is_root(value: str, account: str) -> bool:
    return value == account or value == f"arn:aws:iam::{account}:root"


def trusts_exactly_you(aws):
    name, account = aws.names.role, aws.account_id
    role = fetch_role(aws)
    if role is None:
        return failed(f"Role {name} does not exist any more; repair its trust policy rather than replace the role "
                      "(`inv lab.reset` brings it back).")
    me = learner_arn(aws)
    # ministack's sandbox keys sign as the account root: there, and only there, the root is "you".
    me_is_root = is_root(me, account)

    def is_me(kind: str, value: str) -> bool:
        return kind == "AWS" and (value == me or (me_is_root and is_root(value, account)))

    principals = trusted_principals(role.get("AssumeRolePolicyDocument"))
    found = describe_principals(principals)
    hint = f'One statement: Effect Allow, Principal {{"AWS": "{me}"}}, Action sts:AssumeRole.'
    if any(kind == "*" or value == "*" for kind, value in principals):
        return failed(f"Role {name} trusts \"*\", so any principal of any AWS account could assume it; expected "
                      f"only you, {me} (found {found}).", hint=hint)
    roots = [v for kind, v in principals if kind == "AWS" and is_root(v, account) and not me_is_root]
    if roots:
        return failed(f"Role {name} trusts the account root {roots[0]}, which is too broad: it delegates to every "
                      f"user and role of account {account} whose own policy allows sts:AssumeRole; expected only "
                      f"your user {me}.", hint=hint)
    contractor = [v for kind, v in principals if kind == "AWS" and v.endswith(f":user/{aws.names.contractor}")]
    if not any(is_me(kind, value) for kind, value in principals):
        if contractor:
            return failed(f"Role {name} still trusts the contractor's user {contractor[0]} and not you ({me}).",
                          hint=hint)
        return failed(f"Role {name} does not let you ({me}) call sts:AssumeRole; its trust policy allows {found}.",
                      hint=hint)
    others = [(kind, value) for kind, value in principals if not is_me(kind, value)]
    if others:
        return failed(f"Role {name} trusts you but also {describe_principals(others)}; expected you ({me}) alone.",
                      hint="Replace the whole trust policy (UpdateAssumeRolePolicy takes the full document) rather "
                      "than adding a statement to it.")
    if me_is_root:
        return passed(f"Role {name} lets exactly you assume it: on {aws.backend.name} your sandbox keys are the "
                      f"account root {me}, so the root is your own identity here.")
    return passed(f"Role {name} lets exactly your user {me} assume it.")


# --- step 2: AssumeRole after the repair ----------------------------------

def last_trust_change(aws) -> int:
    """Sequence number of the learner's last successful change of the role's trust (0 when none)."""
    changes = [c for op in TRUST_CHANGES for c in aws.journal.calls(op, service="iam", succeeded=True)
               if c.params.get("RoleName") == aws.names.role]
    return max((c.seq for c in changes), default=0)


def assume_calls(aws) -> list:
    wanted = role_arn(aws)
    return [c for c in aws.journal.calls("AssumeRole", service="sts", succeeded=True)
            if same_role(str(c.params.get("RoleArn", "")), wanted)]


def assumed_after_the_fix(aws):
    name = aws.names.role
    if fetch_role(aws) is None:
        return failed(f"Role {name} does not exist, so it cannot be assumed.")
    calls, fixed_at = assume_calls(aws), last_trust_change(aws)
    if not calls:
        return failed(f"Your sandbox's call journal holds no successful AssumeRole on {role_arn(aws)}; expected you "
                      "to assume the role once its trust policy names you.",
                      hint=f"aws sts assume-role --role-arn {role_arn(aws)} --role-session-name release")
    after = [c for c in calls if c.seq > fixed_at]
    if not after:
        return failed(f"You called AssumeRole on {name} only before your last change of its trust policy; on AWS "
                      "that call is refused (AccessDenied) while the policy names someone else, so assume the role "
                      "again now (the emulator does not check trust).")
    last = after[-1]
    session = last.params.get("RoleSessionName", "?")
    return passed(f"You assumed role {name} after repairing its trust policy (session {session}).")


# --- step 3: the write signed by the role ---------------------------------

def allows_write(aws) -> bool:
    """Whether the role's own policies still allow ssm:PutParameter on the parameter."""
    name, target = aws.names.role, parameter_arn(aws)
    documents = [aws.iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                 for p in aws.iam.list_role_policies(RoleName=name).get("PolicyNames", [])]
    for attached in aws.iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", []):
        policy = aws.iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        documents.append(aws.iam.get_policy_version(PolicyArn=attached["PolicyArn"],
                                                    VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"])
    for document in documents:
        for statement in statements(as_document(document)):
            actions = [a.lower() for a in as_list(statement.get("Action"))]
            if statement.get("Effect") == "Allow" and any(fnmatchcase("ssm:putparameter", a) for a in actions) and \
                    any(fnmatchcase(target, r) for r in as_list(statement.get("Resource"))):
                return True
    return False


def parameter_written_as_role(aws):
    name, parameter, version = aws.names.role, aws.names.parameter, aws.names.version
    found = fetch(aws.ssm.get_parameter, Name=parameter)
    if found is None:
        return failed(f"Parameter {parameter} does not exist any more; write {version} to it as role {name}.")
    writes = [c for c in aws.journal.calls("PutParameter", service="ssm", succeeded=True)
              if c.params.get("Name") == parameter]
    if not writes:
        return failed(f"Parameter {parameter} still holds {found['Parameter']['Value']} and your call journal has no "
                      f"PutParameter on it; expected {version}, written with the role's credentials.",
                      hint="PutParameter needs Overwrite true for a parameter that exists.")
    last = writes[-1]
    if not last.role_arn:
        return failed(f"Parameter {parameter} was last written with the long-lived key {last.access_key} of your own "
                      f"user, not with temporary credentials of role {name}.", hint="Sign the PutParameter with the "
                      "AccessKeyId, SecretAccessKey and SessionToken that AssumeRole returned.")
    if not same_role(last.role_arn, role_arn(aws)):
        return failed(f"Parameter {parameter} was last written with credentials of role {last.role_arn}, not {name}.")
    value = found["Parameter"]["Value"]
    if value != version:
        return failed(f"Parameter {parameter} was written as role {name} but holds {value!r}; expected {version!r}.")
    if fetch_role(aws) is None or not allows_write(aws):
        return failed(f"Role {name} no longer has a policy allowing ssm:PutParameter on {parameter}, so on AWS this "
                      "write would be refused; keep the role's permissions policy as it was.")
    return passed(f"Parameter {parameter} holds {version}, written with temporary credentials of role {name}.")

