"""Reference solution: a role that can only PutObject under one prefix, used through AssumeRole."""

import json

import boto3

from labrunner.sandbox import CLIENT_CONFIG


def trust_policy(names) -> dict:
    # The service is who assumes the role in production; the account is us,
    # standing in for the application because the sandbox runs no instance.
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": names.service, "AWS": names.account_root},
        "Action": "sts:AssumeRole",
    }]}


def put_only_policy(names) -> dict:
    # One action on one prefix: a leaked credential can add files there and
    # nothing else (no reads, no deletes, no other bucket).
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{names.bucket}/{names.prefix}*",
    }]}


def ensure_role(iam, names) -> str:
    trust = json.dumps(trust_policy(names))
    try:
        return iam.create_role(RoleName=names.role, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        iam.update_assume_role_policy(RoleName=names.role, PolicyDocument=trust)
        return iam.get_role(RoleName=names.role)["Role"]["Arn"]


def role_s3_client(aws, role_arn: str):
    """An S3 client signed with the role's temporary credentials, not ours."""
    creds = aws.sts.assume_role(RoleArn=role_arn, RoleSessionName="report-writer")["Credentials"]
    session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                    aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name=aws.region)
    return session.client("s3", endpoint_url=aws.endpoint, config=CLIENT_CONFIG)


def solve(aws):
    names = aws.names
    aws.s3.create_bucket(Bucket=names.bucket)  # our own credentials: the role may not create buckets
    role_arn = ensure_role(aws.iam, names)
    aws.iam.put_role_policy(RoleName=names.role, PolicyName="put-uploads-only",
                            PolicyDocument=json.dumps(put_only_policy(names)))
    role_s3_client(aws, role_arn).put_object(Bucket=names.bucket, Key=names.key,
                                             Body=b"day,total\n1,42\n2,57\n", ContentType="text/csv")
