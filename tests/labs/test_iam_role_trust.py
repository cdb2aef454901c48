"""Near-misses and alternatives for iam-role-trust."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.iam_role_trust import solve


def retrust(aws, *statements):
    aws.iam.update_assume_role_policy(RoleName=aws.names.role, PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": list(statements)}))


def allow(principal):
    return {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}


def trust_star(aws):
    solve(aws)
    retrust(aws, allow("*"))


def trust_lambda(aws):
    solve(aws)
    retrust(aws, allow({"Service": "lambda.amazonaws.com"}))


def trust_ec2_and_account(aws):
    solve(aws)
    retrust(aws, allow({"Service": "ec2.amazonaws.com", "AWS": f"arn:aws:iam::{aws.account_id}:root"}))


def inline_instead_of_managed(aws):
    solve(aws)
    arn = f"arn:aws:iam::aws:policy/{aws.names.policy}"
    aws.iam.detach_role_policy(RoleName=aws.names.role, PolicyArn=arn)
    aws.iam.put_role_policy(RoleName=aws.names.role, PolicyName="s3-read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
                                                "Resource": "*"}]}))


def wrong_managed_policy(aws):
    solve(aws)
    aws.iam.detach_role_policy(RoleName=aws.names.role, PolicyArn=f"arn:aws:iam::aws:policy/{aws.names.policy}")
    aws.iam.attach_role_policy(RoleName=aws.names.role, PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")


def no_instance_profile(aws):
    solve(aws)
    aws.iam.remove_role_from_instance_profile(InstanceProfileName=aws.names.profile, RoleName=aws.names.role)
    aws.iam.delete_instance_profile(InstanceProfileName=aws.names.profile)


def empty_instance_profile(aws):
    solve(aws)
    aws.iam.remove_role_from_instance_profile(InstanceProfileName=aws.names.profile, RoleName=aws.names.role)


NEAR_MISSES = [
    NearMiss("trust to *", step=1, expect='trusts "*"', apply=trust_star),
    NearMiss("wrong principal", step=1, expect="does not trust Service ec2.amazonaws.com", apply=trust_lambda),
    NearMiss("an extra principal", step=1, expect="besides Service ec2.amazonaws.com", apply=trust_ec2_and_account),
    NearMiss("inline policy instead", step=2, expect="inline policy s3-read", apply=inline_instead_of_managed),
    NearMiss("wrong managed policy", step=2, expect="found arn:aws:iam::aws:policy/AmazonS3FullAccess",
             apply=wrong_managed_policy),
    NearMiss("no instance profile", step=3, expect="does not exist", apply=no_instance_profile),
    NearMiss("empty instance profile", step=3, expect="holds no role", apply=empty_instance_profile),
]


def aws_cli(aws):
    """The learner's shell, with a principal list and an extra, harmless Deny statement."""
    env, cli, names = aws.learner_env(), [sys.executable, "-m", "awscli", "iam"], aws.names
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Ec2", "Effect": "Allow", "Principal": {"Service": [names.service]}, "Action": ["sts:AssumeRole"]},
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    for args in (["create-role", "--role-name", names.role, "--assume-role-policy-document", trust],
                 ["attach-role-policy", "--role-name", names.role, "--policy-arn",
                  f"arn:aws:iam::aws:policy/{names.policy}"],
                 ["create-instance-profile", "--instance-profile-name", names.profile, "--path", "/web/"],
                 ["add-role-to-instance-profile", "--instance-profile-name", names.profile, "--role-name",
                  names.role]):
        subprocess.run([*cli, *args], env=env, check=True, capture_output=True)


def resource_api_with_extra_policy(aws):
    names = aws.names
    iam = aws.resource("iam")
    role = iam.create_role(RoleName=names.role, Path="/apps/", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [allow({"Service": names.service})]}))
    role.attach_policy(PolicyArn="arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy")
    role.attach_policy(PolicyArn=f"arn:aws:iam::aws:policy/{names.policy}")
    iam.create_instance_profile(InstanceProfileName=names.profile).add_role(RoleName=names.role)


ALTERNATIVES = [
    Alternative("AWS CLI with a principal list and a Deny statement", apply=aws_cli),
    Alternative("resource API, a path and a second managed policy", apply=resource_api_with_extra_policy),
]

test_near_miss = near_miss_test("iam-role-trust", NEAR_MISSES)
test_alternative = alternative_test("iam-role-trust", ALTERNATIVES)
