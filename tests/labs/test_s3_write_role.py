"""Near-misses and alternatives for s3-write-role."""

import json
import os
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.s3_write_role import put_only_policy, role_s3_client, solve, trust_policy

CLI = [sys.executable, "-m", "awscli"]
BODY = b"day,total\n1,42\n"


def with_trust(trust):
    def apply(aws):
        solve(aws)
        aws.iam.update_assume_role_policy(RoleName=aws.names.role, PolicyDocument=json.dumps(trust(aws.names)))
    return apply


def principal(**given):
    return lambda names: {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": given, "Action": "sts:AssumeRole"}]}


def anyone(names):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}


def other_account(names):
    return principal(Service=names.service, AWS="arn:aws:iam::111122223333:root")(names)


def with_permissions(*statement_overrides, managed=None):
    def apply(aws):
        solve(aws)
        policy = put_only_policy(aws.names)
        statement = policy["Statement"][0]
        for override in statement_overrides:
            statement.update(override(aws.names))
        if "NotAction" in statement:
            statement.pop("Action")
        aws.iam.put_role_policy(RoleName=aws.names.role, PolicyName="put-uploads-only",
                                PolicyDocument=json.dumps(policy))
        if managed:
            aws.iam.attach_role_policy(RoleName=aws.names.role, PolicyArn=managed)
    return apply


def no_inline_policy(aws):
    solve(aws)
    aws.iam.delete_role_policy(RoleName=aws.names.role, PolicyName="put-uploads-only")


def written_with_own_keys(aws):
    solve(aws)
    aws.s3.put_object(Bucket=aws.names.bucket, Key=aws.names.key, Body=BODY)


def written_with_another_role(aws):
    solve(aws)
    other = aws.iam.create_role(RoleName="lab-admin-role",
                                AssumeRolePolicyDocument=json.dumps(trust_policy(aws.names)))["Role"]["Arn"]
    role_s3_client(aws, other).put_object(Bucket=aws.names.bucket, Key=aws.names.key, Body=BODY)


def object_never_written(aws):
    solve(aws)
    aws.s3.delete_object(Bucket=aws.names.bucket, Key=aws.names.key)


NEAR_MISSES = [
    NearMiss("no bucket", step=1, expect="does not exist yet", apply=lambda aws: None),
    NearMiss("trusts only the service", step=2, expect="not your account",
             apply=with_trust(lambda n: principal(Service=n.service)(n))),
    NearMiss("trusts only the account", step=2, expect="does not allow ec2.amazonaws.com",
             apply=with_trust(lambda n: principal(AWS=n.account_root)(n))),
    NearMiss("trusts another service", step=2, expect="services: lambda.amazonaws.com",
             apply=with_trust(lambda n: principal(Service="lambda.amazonaws.com", AWS=n.account_root)(n))),
    NearMiss("trusts anyone", step=2, expect="any principal", apply=with_trust(anyone)),
    NearMiss("trusts another account", step=2, expect="111122223333", apply=with_trust(other_account)),
    NearMiss("s3:* instead of PutObject", step=3, expect="allows s3:*; expected only s3:PutObject",
             apply=with_permissions(lambda n: {"Action": "s3:*"})),
    NearMiss("PutObject and GetObject", step=3, expect="allows s3:GetObject",
             apply=with_permissions(lambda n: {"Action": ["s3:PutObject", "s3:GetObject"]})),
    NearMiss("Resource *", step=3, expect="s3:PutObject on *;",
             apply=with_permissions(lambda n: {"Resource": "*"})),
    NearMiss("whole bucket", step=3, expect="/*; expected only arn:aws:s3:::",
             apply=with_permissions(lambda n: {"Resource": f"arn:aws:s3:::{n.bucket}/*"})),
    NearMiss("NotAction", step=3, expect="NotAction",
             apply=with_permissions(lambda n: {"NotAction": "s3:DeleteObject"})),
    NearMiss("S3 full access attached", step=3, expect="AmazonS3FullAccess",
             apply=with_permissions(managed="arn:aws:iam::aws:policy/AmazonS3FullAccess")),
    NearMiss("no inline policy", step=3, expect="no inline policy", apply=no_inline_policy),
    NearMiss("object written with own credentials", step=4, expect="of your own user", apply=written_with_own_keys),
    NearMiss("object written by another role", step=4, expect="lab-admin-role", apply=written_with_another_role),
    NearMiss("object never written", step=4, expect="does not exist", apply=object_never_written),
]


def cli(env, *args) -> str:
    return subprocess.run([*CLI, *args], env=env, check=True, capture_output=True, text=True).stdout


def aws_cli_all_the_way(aws):
    """A shell learner: trust and policy files, assume-role, exported session credentials, s3 cp."""
    names, env, state = aws.names, aws.learner_env(), os.environ["LABS_STATE_DIR"]
    me = json.loads(cli(env, "sts", "get-caller-identity"))["Arn"]
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": [names.service]}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": [me]}, "Action": ["sts:AssumeRole"]}]}
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "PutUploads", "Effect": "Allow", "Action": ["s3:PutObject"],
         "Resource": [f"arn:aws:s3:::{names.bucket}/{names.prefix}*"]}]}
    files = {}
    for name, content in (("trust.json", trust), ("policy.json", policy)):
        files[name] = os.path.join(state, name)
        with open(files[name], "w") as handle:
            json.dump(content, handle)
    cli(env, "s3", "mb", f"s3://{names.bucket}")
    role_arn = json.loads(cli(env, "iam", "create-role", "--role-name", names.role,
                              "--assume-role-policy-document", f"file://{files['trust.json']}"))["Role"]["Arn"]
    cli(env, "iam", "put-role-policy", "--role-name", names.role, "--policy-name", "uploads",
        "--policy-document", f"file://{files['policy.json']}")
    creds = json.loads(cli(env, "sts", "assume-role", "--role-arn", role_arn,
                           "--role-session-name", "cli"))["Credentials"]
    role_env = dict(env, AWS_ACCESS_KEY_ID=creds["AccessKeyId"], AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"],
                    AWS_SESSION_TOKEN=creds["SessionToken"])
    report = os.path.join(state, "report.csv")
    with open(report, "wb") as handle:
        handle.write(BODY)
    cli(role_env, "s3", "cp", report, f"s3://{names.bucket}/{names.key}")


def account_id_principal_and_resource_api(aws):
    """Account id as the principal, two statements, the resource API's upload_fileobj on the role session."""
    import io

    import boto3

    from labrunner.sandbox import CLIENT_CONFIG

    names = aws.names
    aws.s3.create_bucket(Bucket=names.bucket)
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": names.service, "AWS": aws.account_id},
         "Action": "sts:AssumeRole"}]}
    arn = aws.iam.create_role(RoleName=names.role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    aws.iam.put_role_policy(RoleName=names.role, PolicyName="p", PolicyDocument=json.dumps(put_only_policy(names)))
    creds = aws.sts.assume_role(RoleArn=arn, RoleSessionName="app")["Credentials"]
    session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                    aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name=aws.region)
    bucket = session.resource("s3", endpoint_url=aws.endpoint, config=CLIENT_CONFIG).Bucket(names.bucket)
    bucket.upload_fileobj(io.BytesIO(BODY), names.key)


def fixed_after_own_write(aws):
    """Wrote with own keys first, then again with the role: the last write counts."""
    written_with_own_keys(aws)
    role_arn = aws.iam.get_role(RoleName=aws.names.role)["Role"]["Arn"]
    role_s3_client(aws, role_arn).put_object(Bucket=aws.names.bucket, Key=aws.names.key, Body=BODY)


ALTERNATIVES = [
    Alternative("AWS CLI with the user ARN trusted", apply=aws_cli_all_the_way),
    Alternative("account id principal, resource API upload", apply=account_id_principal_and_resource_api),
    Alternative("rewritten with the role after an own-key write", apply=fixed_after_own_write),
]

test_near_miss = near_miss_test("s3-write-role", NEAR_MISSES)
test_alternative = alternative_test("s3-write-role", ALTERNATIVES)
