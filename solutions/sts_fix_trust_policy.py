"""Reference solution: trust exactly my own user, assume the role, write the approved version as the role."""

import json

import boto3


def solve(aws):
    names = aws.names
    # Who am I? The narrowest principal is this exact user, not the account root (which would hand the
    # decision to every user and role of the account whose own policy allows sts:AssumeRole).
    me = aws.sts.get_caller_identity()["Arn"]
    # UpdateAssumeRolePolicy replaces the whole document: the contractor's statement goes with it.
    aws.iam.update_assume_role_policy(RoleName=names.role, PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": me}, "Action": "sts:AssumeRole"}],
    }))
    role_arn = aws.iam.get_role(RoleName=names.role)["Role"]["Arn"]
    # AssumeRole only after the repair: on AWS it is refused while the trust policy names someone else.
    credentials = aws.sts.assume_role(RoleArn=role_arn, RoleSessionName="release-approval")["Credentials"]
    # All three parts; the session token is what makes the key pair valid. Same endpoint and region as my
    # own clients, so the call reaches the same (sandbox) account.
    as_role = boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"], region_name=aws.region)
    ssm = as_role.client("ssm", endpoint_url=aws.endpoint)
    # Overwrite: the parameter exists; without it PutParameter fails with ParameterAlreadyExists.
    ssm.put_parameter(Name=names.parameter, Value=names.version, Type="String", Overwrite=True)
