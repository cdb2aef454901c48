"""Near-misses and alternatives for sts-assume-role."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.sts_assume_role import solve

WHOAMI = '''

def whoami(role_arn, name):
    return session_for(role_arn, name).client("sts").get_caller_identity()["Arn"]
'''

DEFAULT_SESSION = '''import boto3

def session_for(role_arn, name):
    boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=name)
    return boto3.Session()  # assumed, then forgot to use the credentials
''' + WHOAMI

FIXED_NAME = '''import boto3

def session_for(role_arn, name):
    creds = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="my-session")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"])
''' + WHOAMI

RETURNS_CLIENT = '''import boto3

def session_for(role_arn, name):
    creds = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=name)["Credentials"]
    return boto3.client("sts", aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
''' + WHOAMI

STARTER_UNTOUCHED = '''import boto3

def session_for(role_arn, name):
    raise NotImplementedError("assume the role and build a session on its credentials")
''' + WHOAMI

REFRESHING_SESSION = '''"""A session that renews its role credentials by itself, as botocore's profiles do."""
import boto3
import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials


def session_for(role_arn, name):
    source = botocore.session.get_session()
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=source.create_client, source_credentials=source.get_credentials(),
        role_arn=role_arn, extra_args={"RoleSessionName": name, "DurationSeconds": 900})
    core = botocore.session.get_session()
    core._credentials = DeferredRefreshableCredentials(method="assume-role", refresh_using=fetcher.fetch_credentials)
    return boto3.Session(botocore_session=core)
''' + WHOAMI


def trust(aws, principal):
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})
    aws.iam.create_role(RoleName=aws.names.role, AssumeRolePolicyDocument=document)


NEAR_MISSES = [
    NearMiss("no role", step=1, expect="does not exist yet", apply=lambda aws: None),
    NearMiss("trust to *", step=1, expect='trusts "*"', apply=lambda aws: trust(aws, {"AWS": "*"})),
    NearMiss("trust to a service", step=1, expect="Service ec2.amazonaws.com",
             apply=lambda aws: trust(aws, {"Service": "ec2.amazonaws.com"})),
    NearMiss("trust to another account", step=1, expect="does not let a principal of account",
             apply=lambda aws: trust(aws, {"AWS": "arn:aws:iam::111122223333:root"})),
    NearMiss("trust to own and another account", step=1, expect="also trusts arn:aws:iam::111122223333:root",
             apply=lambda aws: trust(aws, {"AWS": [f"arn:aws:iam::{aws.account_id}:root",
                                                   "arn:aws:iam::111122223333:root"]})),
    NearMiss("returns the default session", step=2, expect="still signs with your own keys", code=DEFAULT_SESSION),
    NearMiss("returns a client, not a session", step=2, expect="AttributeError", code=RETURNS_CLIENT),
    NearMiss("starter left as it is", step=2, expect="NotImplementedError", code=STARTER_UNTOUCHED),
    NearMiss("fixed session name", step=3, expect="expected the session name", code=FIXED_NAME),
]


def cli_role_trusting_account_root(aws):
    """The learner's shell: the account root as principal, created with the AWS CLI."""
    document = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{aws.account_id}:root"}, "Action": "sts:AssumeRole"}]})
    subprocess.run([sys.executable, "-m", "awscli", "iam", "create-role", "--role-name", aws.names.role,
                    "--assume-role-policy-document", document], env=aws.learner_env(), check=True,
                   capture_output=True)


def bare_account_id_in_a_list(aws):
    trust(aws, {"AWS": [aws.account_id]})


ALTERNATIVES = [
    Alternative("CLI role trusting the account root, refreshing credentials", apply=cli_role_trusting_account_root,
                code=REFRESHING_SESSION),
    Alternative("account id as principal, reference code", apply=bare_account_id_in_a_list),
    Alternative("reference role and code", apply=solve),
]

test_near_miss = near_miss_test("sts-assume-role", NEAR_MISSES)
test_alternative = alternative_test("sts-assume-role", ALTERNATIVES)
