"""Near-misses and alternatives for iam-roles-not-cumulative."""

import json
import subprocess
import sys

import pytest

from labrunner.catalog import load
from labrunner.grading import Status
from labrunner.proof import attempt
from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.iam_roles_not_cumulative import solve

OUTCOME = '''

def outcome(reader, *args):
    try:
        return {"read": globals()[reader](*args)}
    except ClientError as error:
        return {"error": error.response["Error"]["Code"]}
'''

HEAD = '''import boto3
from botocore.exceptions import ClientError


def role_client(role_arn):
    c = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="reports")["Credentials"]
    return boto3.client("s3", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                        aws_session_token=c["SessionToken"])


def text(client, bucket, key):
    return client.get_object(Bucket=bucket, Key=key)["Body"].read().decode()

'''

READ_AS_ME = '''
def read_as_me(bucket, key):
    return text(boto3.client("s3"), bucket, key)
'''

USER_CLIENT_ONLY = HEAD + '''
def read_as_role(role_arn, bucket, key):
    boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="reports")  # assumed, then unused
    return text(boto3.client("s3"), bucket, key)
''' + READ_AS_ME + OUTCOME

FALLBACK_TO_USER = HEAD + '''
def read_as_role(role_arn, bucket, key):
    try:
        return text(role_client(role_arn), bucket, key)
    except ClientError:
        return text(boto3.client("s3"), bucket, key)  # "permissions add up", so try mine too
''' + READ_AS_ME + OUTCOME

NO_SESSION_TOKEN = HEAD + '''
def read_as_role(role_arn, bucket, key):
    c = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="reports")["Credentials"]
    s3 = boto3.client("s3", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"])
    return text(s3, bucket, key)
''' + READ_AS_ME + OUTCOME

ME_FALLS_BACK_TO_ROLE = HEAD + '''
def read_as_role(role_arn, bucket, key):
    return text(role_client(role_arn), bucket, key)


def read_as_me(bucket, key):
    try:
        return text(boto3.client("s3"), bucket, key)
    except ClientError:
        account = boto3.client("sts").get_caller_identity()["Account"]
        return text(role_client(f"arn:aws:iam::{account}:role/lab-reports-reader"), bucket, key)
''' + OUTCOME

ME_AS_ROLE = HEAD + '''
def read_as_role(role_arn, bucket, key):
    return text(role_client(role_arn), bucket, key)


def read_as_me(bucket, key):
    account = boto3.client("sts").get_caller_identity()["Account"]
    return text(role_client(f"arn:aws:iam::{account}:role/lab-reports-reader"), bucket, key)
''' + OUTCOME

STARTER_UNTOUCHED = HEAD + '''
def read_as_role(role_arn, bucket, key):
    raise NotImplementedError("assume the role, then read the object with its credentials")
''' + READ_AS_ME + OUTCOME

SESSION_AND_RESOURCE_API = '''"""A boto3 Session on the role, and the resource API."""
import boto3
from botocore.exceptions import ClientError


def read_as_role(role_arn, bucket, key):
    sts = boto3.session.Session().client("sts")
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="nightly-report", DurationSeconds=900)["Credentials"]
    role = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                 aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"])
    return role.resource("s3").Object(bucket, key).get()["Body"].read().decode("utf-8")


def read_as_me(bucket, key):
    return boto3.resource("s3").Object(bucket, key).get()["Body"].read().decode("utf-8")
''' + OUTCOME


def role(aws, policy=None, principal=None, managed=None):
    """A role as the learner would make it: trust `principal` (default: the learner), then a policy."""
    principal = principal or {"AWS": aws.sts.get_caller_identity()["Arn"]}
    aws.iam.create_role(RoleName=aws.names.role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal,
                                                "Action": "sts:AssumeRole"}]}))
    if policy is not None:
        aws.iam.put_role_policy(RoleName=aws.names.role, PolicyName="read", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": policy}))
    if managed:
        aws.iam.attach_role_policy(RoleName=aws.names.role, PolicyArn=f"arn:aws:iam::aws:policy/{managed}")


def get_object(*resources):
    return [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": list(resources)}]


def both_buckets(aws):
    role(aws, get_object(f"arn:aws:s3:::{aws.names.reports_bucket}/*", f"arn:aws:s3:::{aws.names.user_bucket}/*"))


NEAR_MISSES = [
    NearMiss("no role", step=1, expect="does not exist yet", apply=lambda aws: None),
    NearMiss("role trusts EC2", step=1, expect="must let your own user assume it",
             apply=lambda aws: role(aws, get_object(f"arn:aws:s3:::{aws.names.reports_bucket}/*"),
                                    principal={"Service": "ec2.amazonaws.com"})),
    NearMiss("role without a permissions policy", step=1, expect="no permission policy", apply=lambda aws: role(aws)),
    NearMiss("role may only list the reports bucket", step=1, expect="do not allow s3:GetObject",
             apply=lambda aws: role(aws, [{"Effect": "Allow", "Action": "s3:ListBucket",
                                           "Resource": f"arn:aws:s3:::{aws.names.reports_bucket}"}])),
    NearMiss("role policy on the wrong bucket", step=1, expect="may not read",
             apply=lambda aws: role(aws, get_object(f"arn:aws:s3:::{aws.names.user_bucket}/*"))),
    NearMiss("role policy grants both buckets", step=1, expect="also allow s3:GetObject", apply=both_buckets),
    NearMiss("role policy on every bucket", step=1, expect="also allow s3:GetObject",
             apply=lambda aws: role(aws, [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])),
    NearMiss("role with AmazonS3ReadOnlyAccess", step=1, expect="also allow s3:GetObject",
             apply=lambda aws: role(aws, managed="AmazonS3ReadOnlyAccess")),
    NearMiss("role that grants both buckets reads the user's bucket", step=3,
             expect="as role lab-reports-reader; expected AccessDenied", apply=both_buckets),
    NearMiss("starter left as it is", step=2, expect="NotImplementedError", code=STARTER_UNTOUCHED),
    NearMiss("keeps using the user's client", step=2, expect="signed with your user's own key",
             code=USER_CLIENT_ONLY),
    NearMiss("role credentials without the session token", step=2, expect="could not read", code=NO_SESSION_TOKEN,
             needs=("iam_enforcement",)),
    NearMiss("falls back to the user's credentials on AccessDenied", step=3,
             expect="signed with your user's own key, so your code mixed", code=FALLBACK_TO_USER),
    NearMiss("read_as_me retries as the role", step=4, expect="signed with role lab-reports-reader",
             code=ME_FALLS_BACK_TO_ROLE),
    NearMiss("read_as_me works as the role", step=4, expect="could not read", code=ME_AS_ROLE),
]


def cli_role_trusting_account_root(aws):
    """The learner's shell: the AWS CLI, the account root as principal, a customer managed policy."""
    names = aws.names

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "awscli", *args, "--output", "json"], env=aws.learner_env(),
                              check=True, capture_output=True, text=True).stdout

    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{aws.account_id}:root"}, "Action": "sts:AssumeRole"}]}
    cli("iam", "create-role", "--role-name", names.role, "--assume-role-policy-document", json.dumps(trust))
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [f"arn:aws:s3:::{names.reports_bucket}", f"arn:aws:s3:::{names.reports_bucket}/*"]}]}
    arn = json.loads(cli("iam", "create-policy", "--policy-name", "reports-read",
                         "--policy-document", json.dumps(policy)))["Policy"]["Arn"]
    cli("iam", "attach-role-policy", "--role-name", names.role, "--policy-arn", arn)


HAND_WRITTEN = '''"""Solved from the lab text alone: a Session on the role's credentials."""
import boto3
from botocore.exceptions import ClientError


def read_as_role(role_arn, bucket, key):
    creds = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="learner")["Credentials"]
    session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"])
    return session.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def read_as_me(bucket, key):
    return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()
''' + OUTCOME


def cli_inline_policy_for_own_user(aws):
    """The learner's shell, as in the lab text: trust your own ARN, an inline policy with put-role-policy."""
    names, env = aws.names, aws.learner_env()
    me = f"arn:aws:iam::{aws.account_id}:user/lab-learner"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": me},
                                                     "Action": "sts:AssumeRole"}]}
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"],
                                                      "Resource": f"arn:aws:s3:::{names.reports_bucket}/*"}]}
    for args in (["iam", "create-role", "--role-name", names.role, "--assume-role-policy-document", json.dumps(trust)],
                 ["iam", "put-role-policy", "--role-name", names.role, "--policy-name", "reports",
                  "--policy-document", json.dumps(policy)]):
        subprocess.run([sys.executable, "-m", "awscli", *args], env=env, check=True, capture_output=True)


def bare_account_id_trust(aws):
    role(aws, [{"Effect": "Allow", "Action": ["s3:GetObject"],
                "Resource": f"arn:aws:s3:::{aws.names.reports_bucket}/{aws.names.key}"}],
         principal={"AWS": [aws.account_id]})


ALTERNATIVES = [
    Alternative("hand-written from the lab text: CLI inline policy, Session client",
                apply=cli_inline_policy_for_own_user, code=HAND_WRITTEN),
    Alternative("CLI role trusting the account root, Session and resource API", apply=cli_role_trusting_account_root,
                code=SESSION_AND_RESOURCE_API),
    Alternative("account id as principal, one object only, reference code", apply=bare_account_id_trust),
    Alternative("reference role and code", apply=solve),
]

test_near_miss = near_miss_test("iam-roles-not-cumulative", NEAR_MISSES)
test_alternative = alternative_test("iam-roles-not-cumulative", ALTERNATIVES)


def test_moto_verifies_every_step(emulator):
    """Near-miss proofs accept NOT VERIFIABLE, so prove here that moto really enforces IAM in the sandbox."""
    if emulator.name != "moto":
        pytest.skip("per-sandbox IAM enforcement is a moto extension")
    lab = load().get("iam-roles-not-cumulative")
    result = attempt(lab, emulator, solve)
    assert [s.status for s in result.steps] == [Status.PASS] * 4, [s.message for s in result.steps]
