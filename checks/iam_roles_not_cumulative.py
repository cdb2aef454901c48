"""Checker for iam-roles-not-cumulative: a role's session has the role's permissions, and only those.

``setup`` gives the learner's user a narrow policy (read the team-notes bucket,
manage and assume the lab's role) in place of AdministratorAccess, and turns
IAM enforcement on for this sandbox only (moto: labrunner/backends/moto_ext/
iam_enforcement.py).  The checker's own key keeps AdministratorAccess, so its
reads still work.  Where the backend cannot enforce IAM in one sandbox, the
steps that need a refusal are NOT VERIFIABLE.
"""

import json
import re

from labrunner.grading import failed, not_verifiable, passed, steps
from labrunner.iam_policies import (account_of_principal, as_document, as_list, describe_principals, statements,
                                    trusted_principals)
from labrunner.lookups import fetch

LEARNER_POLICY = "lab-learner-permissions"
DENIED = {"AccessDenied", "403"}
# A refusal needs IAM enforced in the sandbox; who signed a read needs a refusal or the journal.
STEP_NEEDS = {2: ("iam_enforcement|journal",), 3: ("iam_enforcement",), 4: ("iam_enforcement",)}


def check(aws):
    yield from steps(aws, role_reads_reports_only, role_session_reads_reports, role_session_refused_notes,
                     own_credentials_are_back)


# --- setup: the sandbox the learner starts in ------------------------------------------------------------

def learner_policy(aws) -> dict:
    names, account = aws.names, aws.account_id
    notes = f"arn:aws:s3:::{names.user_bucket}"
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadTheTeamNotes", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [notes, f"{notes}/*"]},
        {"Sid": "SeeTheBuckets", "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
        # On AWS these would name arn:aws:iam::<account>:role/<role>; moto checks CreateRole against "*".
        {"Sid": "ManageRoles", "Effect": "Allow", "Action": [
            "iam:CreateRole", "iam:GetRole", "iam:ListRoles", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole",
            "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:DeleteRolePolicy",
            "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies", "iam:TagRole",
            "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicies", "iam:CreatePolicy",
            "iam:GetUser", "iam:ListUserPolicies", "iam:GetUserPolicy", "iam:ListAttachedUserPolicies"],
         "Resource": "*"},
        {"Sid": "AssumeTheLabRole", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": f"arn:aws:iam::{account}:role/{names.role}"},
    ]}


def setup(aws):
    names = aws.names
    for bucket, text in ((names.user_bucket, "Team notes: stand-up moved to 9:30."),
                         (names.reports_bucket, "Quarterly report: revenue up 4 %.")):
        aws.s3.create_bucket(Bucket=bucket)
        aws.s3.put_object(Bucket=bucket, Key=names.key, Body=text.encode(), ContentType="text/plain")
    enforce = getattr(aws.backend, "enforce_iam", None)
    if enforce is None:
        return  # no per-sandbox enforcement here: the learner keeps the backend's default keys
    user = "lab-learner"
    aws.iam.put_user_policy(UserName=user, PolicyName=LEARNER_POLICY, PolicyDocument=json.dumps(learner_policy(aws)))
    for attached in aws.iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]:
        aws.iam.detach_user_policy(UserName=user, PolicyArn=attached["PolicyArn"])
    if not enforce(aws.account_id):
        raise RuntimeError("the emulator did not turn IAM enforcement on; it may predate this lab "
                           "(restart it with `inv down` and `inv up`)")


def not_enforced(aws) -> str | None:
    """None when IAM is enforced in this sandbox, else why not (a clause)."""
    probe = getattr(aws.backend, "iam_enforced", None)
    if probe is None:
        return f"the {aws.backend.name} backend cannot enforce IAM in one sandbox"
    if not probe(aws.account_id):
        return "IAM enforcement is off in this sandbox (an emulator started before this lab existed; `inv down`, " \
               "`inv up`, then `inv lab.reset iam-roles-not-cumulative`)"
    return None


# --- policies, read statically for step 1 ----------------------------------------------------------------

def _matches(pattern: str, value: str, case: bool = True) -> bool:
    regex = "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(regex, value, 0 if case else re.IGNORECASE) is not None


def _applies(statement: dict, action: str, resource: str) -> bool:
    if "NotAction" in statement:
        action_ok = not any(_matches(a, action, case=False) for a in as_list(statement["NotAction"]))
    else:
        action_ok = any(_matches(a, action, case=False) for a in as_list(statement.get("Action")))
    if "NotResource" in statement:
        resource_ok = not any(_matches(r, resource) for r in as_list(statement["NotResource"]))
    else:
        resource_ok = any(_matches(r, resource) for r in as_list(statement.get("Resource")))
    return action_ok and resource_ok


def allows(documents: list, action: str, resource: str) -> bool:
    """Whether the identity policies allow ``action`` on ``resource`` (an explicit Deny wins)."""
    found = [s for d in documents for s in statements(d) if _applies(s, action, resource)]
    return any(s.get("Effect") == "Allow" for s in found) and not any(s.get("Effect") == "Deny" for s in found)


def role_policies(aws, role: str) -> tuple[list, list[str]]:
    """The role's permission policy documents, and their names."""
    iam, documents, labels = aws.iam, [], []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        documents.append(as_document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]))
        labels.append(f"inline {name}")
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        policy = fetch(iam.get_policy, PolicyArn=attached["PolicyArn"])
        if policy is None:
            continue
        version = iam.get_policy_version(PolicyArn=attached["PolicyArn"],
                                         VersionId=policy["Policy"]["DefaultVersionId"])
        documents.append(as_document(version["PolicyVersion"]["Document"]))
        labels.append(f"managed {attached['PolicyName']}")
    return documents, labels


def fetch_role(aws):
    found = fetch(aws.iam.get_role, RoleName=aws.names.role)
    return found["Role"] if found else None


def role_arn(aws) -> str:
    return f"arn:aws:iam::{aws.account_id}:role/{aws.names.role}"


def role_reads_reports_only(aws):
    names = aws.names
    role = fetch_role(aws)
    if role is None:
        return failed(f"Role {names.role} does not exist yet; create it with a trust policy for your user and a "
                      f"policy that reads {names.reports_bucket}.")
    principals = trusted_principals(role.get("AssumeRolePolicyDocument"))
    own = [v for kind, v in principals if kind == "AWS" and account_of_principal(v) == aws.account_id]
    if any(kind == "*" or value == "*" for kind, value in principals) or not own:
        return failed(f"Role {names.role} must let your own user assume it; its trust policy allows "
                      f"{describe_principals(principals)}.",
                      hint=f"Principal {{\"AWS\": \"arn:aws:iam::{aws.account_id}:user/lab-learner\"}}, "
                           "Action sts:AssumeRole.")
    documents, labels = role_policies(aws, names.role)
    reports = f"arn:aws:s3:::{names.reports_bucket}/{names.key}"
    notes = f"arn:aws:s3:::{names.user_bucket}/{names.key}"
    if not allows(documents, "s3:GetObject", reports):
        have = ", ".join(labels) or "no permission policy"
        return failed(f"Role {names.role} may not read {reports}: its policies ({have}) do not allow s3:GetObject "
                      "on it.", hint=f"Put an inline policy on the role allowing s3:GetObject on "
                                     f"arn:aws:s3:::{names.reports_bucket}/*.")
    if allows(documents, "s3:GetObject", notes):
        return failed(f"Role {names.role} may read {reports}, but its policies also allow s3:GetObject on {notes}; "
                      f"expected {names.reports_bucket} only.",
                      hint=f"Name arn:aws:s3:::{names.reports_bucket}/* as the Resource, not \"*\" or both buckets: "
                           "the role is for reading reports, and nothing else.")
    return passed(f"Role {names.role} trusts {', '.join(own)} and may read {names.reports_bucket}, not "
                  f"{names.user_bucket}.")


# --- the learner's code -------------------------------------------------------------------------------------

def expected_text(aws, bucket: str) -> str | None:
    found = fetch(aws.s3.get_object, Bucket=bucket, Key=aws.names.key)
    return found["Body"].read().decode() if found else None


def mark(aws) -> int | None:
    return aws.journal.mark() if aws.journal.available else None


def signers(aws, since: int | None, bucket: str, succeeded: bool | None = None) -> list[str]:
    """Who signed the GetObject calls on ``bucket`` since ``since`` ('your user' or the role ARN)."""
    if since is None:
        return []
    calls = [c for c in aws.journal.calls("GetObject", service="s3", since=since, succeeded=succeeded)
             if c.params.get("Bucket") == bucket]
    found = []
    for call in calls:
        who = f"role {call.role_arn.split('/')[-1]}" if call.role_arn else "your user's own key"
        if who not in found:
            found.append(who)
    return found


def outcome(aws, reader: str, *args):
    """The learner's outcome(reader, ...): {"read": text} or {"error": code} (anything else is unusable)."""
    return aws.call_code("outcome", reader, *args)


def usable(result) -> bool:
    return isinstance(result, dict) and ("read" in result or "error" in result)


def unusable(function: str, result) -> str:
    return f"outcome() in your file returned {result!r} for {function}; keep it as the starter wrote it."


def role_session_reads_reports(aws):
    names = aws.names
    if fetch_role(aws) is None:
        return failed(f"Role {names.role} does not exist, so read_as_role cannot assume it.")
    where = f"s3://{names.reports_bucket}/{names.key}"
    since = mark(aws)
    result = outcome(aws, "read_as_role", role_arn(aws), names.reports_bucket, names.key)
    if not usable(result):
        return failed(unusable("read_as_role", result))
    if "error" in result:
        who = signers(aws, since, names.reports_bucket)
        if "your user's own key" in who and not any(w.startswith("role ") for w in who):
            return failed(f"read_as_role could not read {where} ({result['error']}): its GetObject was signed with "
                          f"your user's own key, which may not read {names.reports_bucket}.",
                          hint="Build the S3 client on the Credentials that sts.assume_role returns.")
        return failed(f"read_as_role could not read {where}: the emulator answered {result['error']}.",
                      hint="Pass all three parts of the temporary credentials (AccessKeyId, SecretAccessKey, "
                           "SessionToken) to the S3 client.")
    text = expected_text(aws, names.reports_bucket)
    if result["read"] != text:
        return failed(f"read_as_role returned {str(result['read'])[:60]!r} for {where}; expected the object's text "
                      f"{text!r}.", hint="Return get_object(...)[\"Body\"].read().decode().")
    who = signers(aws, since, names.reports_bucket, succeeded=True)
    if who and f"role {names.role}" not in who:
        return failed(f"read_as_role read {where}, but signed with {', '.join(who)}, not with role {names.role}.")
    why = not_enforced(aws) if since is None else None
    if why:
        return not_verifiable(f"read_as_role read {where}, but whether it used the role's credentials is not "
                              f"verifiable: {why}, and it keeps no call journal.")
    return passed(f"read_as_role read {where} with the credentials of role {names.role}.")


def role_session_refused_notes(aws):
    names = aws.names
    why = not_enforced(aws)
    if why:
        return not_verifiable(f"Whether the role's session is refused {names.user_bucket} is not verifiable: {why}.")
    if fetch_role(aws) is None:
        return failed(f"Role {names.role} does not exist, so read_as_role cannot assume it.")
    where = f"s3://{names.user_bucket}/{names.key}"
    since = mark(aws)
    result = outcome(aws, "read_as_role", role_arn(aws), names.user_bucket, names.key)
    if not usable(result):
        return failed(unusable("read_as_role", result))
    if "error" in result:
        if result["error"] not in DENIED:
            return failed(f"read_as_role failed on {where} with {result['error']}; expected AccessDenied from the "
                          "role's session.")
        return passed(f"read_as_role was refused {where} with AccessDenied: the role's session does not carry "
                      "your user's permissions.")
    who = signers(aws, since, names.user_bucket, succeeded=True)
    if "your user's own key" in who:
        return failed(f"read_as_role read {where}, which role {names.role} may not read: the read was signed with "
                      "your user's own key, so your code mixed the two sets of permissions.",
                      hint="Do not fall back to your own credentials when the role is refused: let the "
                           "AccessDenied error reach the caller.")
    return failed(f"read_as_role read {where} as role {names.role}; expected AccessDenied, since the role should "
                  f"only read {names.reports_bucket}.",
                  hint=f"The role's policy should allow arn:aws:s3:::{names.reports_bucket}/* only.")


def own_credentials_are_back(aws):
    names = aws.names
    notes = f"s3://{names.user_bucket}/{names.key}"
    reports = f"s3://{names.reports_bucket}/{names.key}"
    since = mark(aws)
    result = outcome(aws, "read_as_me", names.user_bucket, names.key)
    if not usable(result):
        return failed(unusable("read_as_me", result))
    if "error" in result:
        who = signers(aws, since, names.user_bucket)
        role = " (it signed as the role, not as you)" if any(w.startswith("role ") for w in who) else ""
        return failed(f"read_as_me could not read {notes}: the emulator answered {result['error']}{role}.",
                      hint="read_as_me uses your own credentials: a plain boto3.client(\"s3\"), no AssumeRole.")
    if result["read"] != expected_text(aws, names.user_bucket):
        return failed(f"read_as_me returned {str(result['read'])[:60]!r} for {notes}; expected the object's text.")
    why = not_enforced(aws)
    if why:
        return not_verifiable(f"read_as_me read {notes}; whether your user is refused {reports} is not "
                              f"verifiable: {why}.")
    since = mark(aws)
    result = outcome(aws, "read_as_me", names.reports_bucket, names.key)
    if not usable(result):
        return failed(unusable("read_as_me", result))
    if "read" in result:
        who = signers(aws, since, names.reports_bucket, succeeded=True)
        return failed(f"read_as_me read {reports}, which your user may not read; it was signed with "
                      f"{', '.join(who) or 'other credentials'}.",
                      hint="Outside the role your code works with your own permissions only: no AssumeRole in "
                           "read_as_me, and no second try with other credentials.")
    if result["error"] not in DENIED:
        return failed(f"read_as_me failed on {reports} with {result['error']}; expected AccessDenied.")
    return passed(f"read_as_me read {notes} and was refused {reports}: your own permissions are back, and only "
                  "those.")
