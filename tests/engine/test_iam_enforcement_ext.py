"""The moto extension that enforces IAM in chosen accounts only, on a shared server."""

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from labrunner.sessions import isolated_botocore, isolated_session

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture
def sandbox(lab_sandbox, emulator):
    """Factory: a fresh sandbox whose learner has no policy at all (checker keeps AdministratorAccess)."""
    if emulator.name != "moto":
        pytest.skip("moto extension")

    def make():
        _, checker, learner = lab_sandbox("s3-put-object")
        checker.iam.detach_user_policy(UserName="lab-learner", PolicyArn=ADMIN)
        return checker, learner

    return make


def code_of(call, *args, **kwargs) -> str:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response["Error"]["Code"]


def test_an_enforced_account_denies_what_its_user_has_no_policy_for(sandbox, emulator):
    checker, learner = sandbox()
    assert emulator.enforce_iam(checker.account_id)
    assert code_of(learner.s3.list_buckets) == "AccessDenied"
    assert code_of(learner.s3.create_bucket, Bucket=f"denied-{checker.account_id}") == "AccessDenied"
    # moto answers JSON-protocol services with an XML error body, so botocore only sees the status.
    with pytest.raises(ClientError) as raised:
        learner.sqs.create_queue(QueueName="denied")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # GetCallerIdentity is always allowed, as on AWS.
    assert learner.sts.get_caller_identity()["Arn"].endswith(":user/lab-learner")


def test_the_checker_still_reads_and_writes_in_an_enforced_account(sandbox, emulator):
    checker, _ = sandbox()
    assert emulator.enforce_iam(checker.account_id)
    bucket = f"checker-{checker.account_id}"
    checker.s3.create_bucket(Bucket=bucket)
    checker.s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert checker.s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    assert {u["UserName"] for u in checker.iam.list_users()["Users"]} == {"lab-learner", "lab-checker"}
    assert checker.sqs.list_queues().get("QueueUrls", []) == []


def test_other_accounts_on_the_same_server_keep_todays_behaviour(sandbox, emulator):
    enforced, enforced_learner = sandbox()
    other, other_learner = sandbox()
    assert emulator.enforce_iam(enforced.account_id)
    # Same server, a learner with no policy either: moto's default lets everything through.
    bucket = f"free-{other.account_id}"
    other_learner.s3.create_bucket(Bucket=bucket)
    other_learner.s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert other_learner.sqs.create_queue(QueueName="free")["QueueUrl"]
    assert code_of(enforced_learner.s3.list_buckets) == "AccessDenied"
    # Keys unknown to moto still act in the default account, unchecked.
    stranger = isolated_session("test", "test").client("sqs", endpoint_url=emulator.endpoint, region_name="us-east-1")
    stranger.list_queues()


def test_policies_allow_per_resource_and_turning_enforcement_off_restores(sandbox, emulator):
    checker, learner = sandbox()
    mine, theirs = f"mine-{checker.account_id}", f"theirs-{checker.account_id}"
    for bucket in (mine, theirs):
        checker.s3.create_bucket(Bucket=bucket)
        checker.s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    checker.iam.put_user_policy(UserName="lab-learner", PolicyName="read-mine", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                "Resource": f"arn:aws:s3:::{mine}/*"}]}))
    assert emulator.enforce_iam(checker.account_id)
    assert learner.s3.get_object(Bucket=mine, Key="k")["Body"].read() == b"v"
    assert code_of(learner.s3.get_object, Bucket=theirs, Key="k") == "AccessDenied"
    assert emulator.enforce_iam(checker.account_id, on=False)
    assert learner.s3.get_object(Bucket=theirs, Key="k")["Body"].read() == b"v"


def test_an_assumed_role_has_the_role_permissions_only(sandbox, emulator):
    checker, learner = sandbox()
    bucket = f"role-{checker.account_id}"
    checker.s3.create_bucket(Bucket=bucket)
    checker.s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    account = checker.account_id
    role_arn = checker.iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]}))["Role"]["Arn"]
    checker.iam.put_role_policy(RoleName="reader", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    assert emulator.enforce_iam(account)
    # No policy allows the user sts:AssumeRole yet: a trust policy naming the account is not enough.
    assert code_of(learner.sts.assume_role, RoleArn=role_arn, RoleSessionName="reader-test") == "AccessDenied"
    checker.iam.put_user_policy(UserName="lab-learner", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]}))
    creds = learner.sts.assume_role(RoleArn=role_arn, RoleSessionName="reader-test")["Credentials"]
    role = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name="us-east-1",
                         botocore_session=isolated_botocore()).client(
        "s3", endpoint_url=emulator.endpoint)
    assert role.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    assert code_of(role.list_buckets) == "AccessDenied"
    assert code_of(learner.s3.get_object, Bucket=bucket, Key="k") == "AccessDenied"
    # The session token is checked: the key pair alone is refused.
    bare = isolated_session(creds["AccessKeyId"], creds["SecretAccessKey"]).client(
        "s3", endpoint_url=emulator.endpoint, region_name="us-east-1")
    assert code_of(bare.get_object, Bucket=bucket, Key="k") in {"InvalidAccessKeyId", "InvalidToken", "AccessDenied"}


def post(emulator, body: bytes, headers=None):
    request = urllib.request.Request(f"{emulator.endpoint}/_labrunner/enforce-iam", data=body, method="POST",
                                     headers=headers or {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_endpoint_refuses_bad_requests_and_lists_enforced_accounts(sandbox, emulator):
    checker, _ = sandbox()
    assert post(emulator, b"not json")[0] == 400
    assert post(emulator, json.dumps({"account": "12345"}).encode())[0] == 400
    assert post(emulator, json.dumps({"account": checker.account_id}).encode()) == (
        200, {"account": checker.account_id, "enforced": True})
    with urllib.request.urlopen(f"{emulator.endpoint}/_labrunner/enforce-iam", timeout=5) as response:
        assert checker.account_id in json.loads(response.read())["enforced"]


def test_an_unsigned_request_into_an_enforced_account_is_refused_not_crashed(sandbox, emulator):
    checker, _ = sandbox()
    assert emulator.enforce_iam(checker.account_id)
    request = urllib.request.Request(f"{emulator.endpoint}/?Action=ListQueues", method="GET",
                                     headers={"x-moto-account-id": checker.account_id,
                                              "Host": "sqs.us-east-1.amazonaws.com"})
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    assert raised.value.code == 403
