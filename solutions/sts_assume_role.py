"""Reference solution: a role that trusts the learner, and a session on its credentials."""

import json

import boto3


def solve(aws):
    # Trust exactly the identity that will assume the role: the narrowest door.
    me = aws.sts.get_caller_identity()["Arn"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": me}, "Action": "sts:AssumeRole",
    }]})
    iam, role = aws.iam, aws.names.role
    try:
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust,
                        Description="Read-only auditor assumed by the lab's code")
    except iam.exceptions.EntityAlreadyExistsException:
        # A second run must leave the same trust, not fail.
        iam.update_assume_role_policy(RoleName=role, PolicyDocument=trust)


def session_for(role_arn: str, name: str) -> boto3.Session:
    """A boto3 session whose calls are signed as `role_arn`, in a session called `name`."""
    credentials = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=name)["Credentials"]
    # All three parts: the key pair alone is rejected without its session token.
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def whoami(role_arn: str, name: str) -> str:
    """The ARN STS sees behind session_for(role_arn, name); the checker calls this one."""
    return session_for(role_arn, name).client("sts").get_caller_identity()["Arn"]
