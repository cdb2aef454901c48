"""Reference solution: a role that reads reports only, and code that works as the role, then as you."""

import json

import boto3
from botocore.exceptions import ClientError


def solve(aws):
    names = aws.names
    # Trust exactly the user who will assume the role: the narrowest door.
    me = aws.sts.get_caller_identity()["Arn"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": me}, "Action": "sts:AssumeRole",
    }]})
    try:
        aws.iam.create_role(RoleName=names.role, AssumeRolePolicyDocument=trust,
                            Description="Reads the reports bucket, nothing else")
    except aws.iam.exceptions.EntityAlreadyExistsException:
        aws.iam.update_assume_role_policy(RoleName=names.role, PolicyDocument=trust)  # a rerun keeps one trust
    # Least privilege: the reports objects and nothing else. The role does not need the team-notes
    # bucket even though your user can read it; a session of the role would not have it anyway.
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{names.reports_bucket}/*",
    }]})
    aws.iam.put_role_policy(RoleName=names.role, PolicyName="read-reports", PolicyDocument=policy)


def read_as_role(role_arn: str, bucket: str, key: str) -> str:
    """The text of s3://bucket/key, read with the temporary credentials of `role_arn`."""
    credentials = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="reports-reader")["Credentials"]
    # All three parts: the key pair alone is refused without its session token.
    s3 = boto3.client("s3", aws_access_key_id=credentials["AccessKeyId"],
                      aws_secret_access_key=credentials["SecretAccessKey"],
                      aws_session_token=credentials["SessionToken"])
    # No fallback to the default client: while you act as the role, only the role's permissions count.
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def read_as_me(bucket: str, key: str) -> str:
    """The text of s3://bucket/key, read with your own credentials (no role)."""
    # A client on the default credentials is "leaving the role": your user's permissions are back.
    return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def outcome(reader: str, *args) -> dict:
    """What the checker calls: {"read": text} or {"error": the AWS error code}."""
    try:
        return {"read": globals()[reader](*args)}
    except ClientError as error:
        return {"error": error.response["Error"]["Code"]}
