"""Near-misses and alternatives for sts-fix-trust-policy (applied after setup, on the contractor's role)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test

LAB = "sts-fix-trust-policy"
CLI = [sys.executable, "-m", "awscli"]


def me(aws):
    return aws.sts.get_caller_identity()["Arn"]


def trust(aws, *principals, principal=None):
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": principal or {"AWS": list(principals) if len(principals) > 1 else principals[0]},
        "Action": "sts:AssumeRole"}]}
    aws.iam.update_assume_role_policy(RoleName=aws.names.role, PolicyDocument=json.dumps(document))


def role_arn(aws):
    return aws.iam.get_role(RoleName=aws.names.role)["Role"]["Arn"]


def assume(aws, name="release"):
    return aws.sts.assume_role(RoleArn=role_arn(aws), RoleSessionName=name)["Credentials"]


def ssm_as(aws, credentials):
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"],
                         region_name=aws.region).client("ssm", endpoint_url=aws.endpoint)


def write(ssm, aws, value=None):
    ssm.put_parameter(Name=aws.names.parameter, Value=value or aws.names.version, Type="String", Overwrite=True)


def trusting(principal_of):
    """Trust set as given, then the rest done right (assume, write as the role)."""
    def apply(aws):
        principal_of(aws)
        write(ssm_as(aws, assume(aws)), aws)
    return apply


def contractor_arn(aws):
    return f"arn:aws:iam::{aws.account_id}:user/{aws.names.contractor}"


def fixed_never_assumed(aws):
    trust(aws, me(aws))
    write(aws.ssm, aws)


def assumed_before_fixing(aws):
    """moto lets the call through while the contractor is trusted; AWS would refuse it."""
    credentials = assume(aws)
    trust(aws, me(aws))
    write(ssm_as(aws, credentials), aws)


def own_credentials(aws):
    trust(aws, me(aws))
    assume(aws)
    write(aws.ssm, aws)


def wrong_value(aws):
    trust(aws, me(aws))
    write(ssm_as(aws, assume(aws)), aws, value="2026.12.0")


def recreated_role(aws):
    """The role deleted and made again: the new trust is right, the permissions policy is gone."""
    iam, name = aws.iam, aws.names.role
    for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    iam.delete_role(RoleName=name)
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": me(aws)}, "Action": "sts:AssumeRole"}]}))
    write(ssm_as(aws, assume(aws)), aws)


def another_role(aws):
    """The write signed by a second role the learner made, not the release role."""
    trust(aws, me(aws))
    assume(aws)
    other = aws.iam.create_role(RoleName="lab-my-helper", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": me(aws)},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    write(ssm_as(aws, aws.sts.assume_role(RoleArn=other, RoleSessionName="helper")["Credentials"]), aws)


NEAR_MISSES = [
    NearMiss("nothing done", step=1, expect="still trusts the contractor's user", apply=lambda aws: None),
    NearMiss("Principal AWS *", step=1, expect="trusts \"*\"", apply=trusting(lambda aws: trust(aws, "*"))),
    NearMiss("Principal *", step=1, expect="trusts \"*\"", apply=trusting(lambda aws: trust(aws, principal="*"))),
    # On ministack the sandbox keys are the account root, so the next two are the right answer there.
    NearMiss("account root", step=1, expect="which is too broad",
             apply=trusting(lambda aws: trust(aws, f"arn:aws:iam::{aws.account_id}:root"))),
    NearMiss("bare account id", step=1, expect="which is too broad",
             apply=trusting(lambda aws: trust(aws, aws.account_id))),
    NearMiss("learner added beside the contractor", step=1, expect="but also AWS arn:aws:iam::",
             apply=trusting(lambda aws: trust(aws, me(aws), contractor_arn(aws)))),
    NearMiss("another account's root beside the learner", step=1, expect="but also AWS arn:aws:iam::111122223333:root",
             apply=trusting(lambda aws: trust(aws, me(aws), "arn:aws:iam::111122223333:root"))),
    NearMiss("a service instead of the user", step=1, expect="does not let you",
             apply=trusting(lambda aws: trust(aws, principal={"Service": "ec2.amazonaws.com"}))),
    NearMiss("trust fixed, never assumed", step=2, expect="no successful AssumeRole", apply=fixed_never_assumed),
    NearMiss("assumed before the fix only", step=2, expect="only before your last change", apply=assumed_before_fixing),
    NearMiss("written with own credentials", step=3, expect="long-lived key", apply=own_credentials),
    NearMiss("written as another role", step=3, expect="not lab-release-approver", apply=another_role),
    NearMiss("wrong version written", step=3, expect="holds '2026.12.0'", apply=wrong_value),
    NearMiss("role deleted and recreated", step=3, expect="no longer has a policy allowing ssm:PutParameter",
             apply=recreated_role),
]


# --- other correct solutions ----------------------------------------------

def aws_cli(aws):
    """The learner's shell: a trust file, assume-role, the three values exported, ssm put-parameter."""
    env = aws.learner_env()

    def cli(*args, environment=env):
        return json.loads(subprocess.run([*CLI, *args], env=environment, check=True, capture_output=True,
                                         text=True).stdout or "{}")

    arn = cli("sts", "get-caller-identity")["Arn"]
    path = Path(os.environ["LABS_STATE_DIR"]) / f"trust-{aws.account_id}.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReleaseManager", "Effect": "Allow", "Principal": {"AWS": [arn]}, "Action": ["sts:AssumeRole"]}]}))
    cli("iam", "update-assume-role-policy", "--role-name", aws.names.role, "--policy-document", f"file://{path}")
    role = cli("iam", "get-role", "--role-name", aws.names.role)["Role"]["Arn"]
    credentials = cli("sts", "assume-role", "--role-arn", role, "--role-session-name", "cli-approval")["Credentials"]
    as_role = {**env, "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
               "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"], "AWS_SESSION_TOKEN": credentials["SessionToken"]}
    cli("ssm", "put-parameter", "--name", aws.names.parameter, "--value", aws.names.version, "--type", "String",
        "--overwrite", environment=as_role)


def user_arn_from_iam_and_resource_session(aws):
    """The user's ARN from iam.get_user; the write through a session built from the role's credentials."""
    arn = aws.iam.get_user()["User"]["Arn"]
    aws.iam.update_assume_role_policy(RoleName=aws.names.role, PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": arn},
                                               "Action": "sts:AssumeRole"}}))
    credentials = aws.sts.assume_role(RoleArn=role_arn(aws), RoleSessionName="approver",
                                      DurationSeconds=900)["Credentials"]
    write(ssm_as(aws, credentials), aws)


def assumed_twice(aws):
    """An early, refused-on-AWS attempt, then the repair and a fresh AssumeRole."""
    assume(aws, "too-early")
    trust(aws, me(aws))
    write(ssm_as(aws, assume(aws, "after-fix")), aws)


ALTERNATIVES = [
    Alternative("AWS CLI with exported session credentials", apply=aws_cli),
    Alternative("ARN from iam.get_user, single-statement object form", apply=user_arn_from_iam_and_resource_session),
    Alternative("an early attempt, then the repair and a new AssumeRole", apply=assumed_twice),
]

test_near_miss = near_miss_test(LAB, NEAR_MISSES)
test_alternative = alternative_test(LAB, ALTERNATIVES)
