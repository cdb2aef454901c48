"""The moto extension that builds AWS managed policies on first use, per account."""

import pytest
from botocore.exceptions import ClientError
from moto.iam.models import AWSManagedPolicy, IAMBackend

from labrunner.backends.moto_ext import iam_managed_policies
from labrunner.backends.moto_ext.iam_managed_policies import ManagedPolicies, catalogue

LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture
def account(monkeypatch):
    """A fresh moto IAM backend, in this process, with the extension installed."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    iam_managed_policies.install()
    backend = IAMBackend(region_name="aws", account_id="123456789012")
    backend.create_role("app", '{"Version": "2012-10-17", "Statement": []}', "/", None, "", [], None)
    return backend


def built(backend) -> int:
    return dict.__len__(backend.managed_policies)


def test_a_new_account_builds_no_aws_policy(account):
    assert isinstance(account.managed_policies, ManagedPolicies)
    assert built(account) == 0 and account.aws_managed_policies == []
    assert len(catalogue()) > 1000


def test_attaching_builds_only_the_policy_named(account):
    account.attach_role_policy(LAMBDA_BASIC, "app")
    assert built(account) == 1
    assert list(account.get_role("app").managed_policies) == [LAMBDA_BASIC]
    assert account.get_policy(LAMBDA_BASIC).attachment_count == 1
    account.detach_role_policy(LAMBDA_BASIC, "app")
    assert account.get_policy(LAMBDA_BASIC).attachment_count == 0 and built(account) == 1


def test_lookups_answer_as_a_full_mapping_would(account):
    assert LAMBDA_BASIC in account.managed_policies
    assert "arn:aws:iam::aws:policy/NoSuchPolicy" not in account.managed_policies
    assert account.managed_policies.get("arn:aws:iam::aws:policy/NoSuchPolicy") is None
    assert isinstance(account.get_policy(READ_ONLY), AWSManagedPolicy)
    assert built(account) == 1  # membership tests built nothing


def test_listing_builds_every_policy_in_moto_order(account):
    account.attach_role_policy(READ_ONLY, "app")  # one built early must not move ahead of the others
    policies, _ = account.list_policies(None, 5000, False, "/", "All")
    arns = [p.arn for p in policies]
    assert len(arns) == len(catalogue()) and len(set(arns)) == len(arns)
    assert arns[:3] == [f"arn:aws:iam::aws:policy{suffix}" for suffix in list(catalogue())[:3]]
    assert len(account.aws_managed_policies) == len(catalogue())


def test_errors_keep_moto_messages(account):
    missing = "arn:aws:iam::aws:policy/NoSuchPolicy"
    with pytest.raises(Exception, match="does not exist or is not attachable"):
        account.attach_role_policy(missing, "app")
    with pytest.raises(Exception, match=f"Policy {LAMBDA_BASIC} was not found"):
        account.detach_role_policy(LAMBDA_BASIC, "app")  # exists, but not attached


def test_a_deleted_aws_policy_stays_deleted(account):
    del account.managed_policies[READ_ONLY]
    assert READ_ONLY not in account.managed_policies
    assert READ_ONLY not in [p.arn for p in account.managed_policies.values()]


def test_attached_aws_policies_work_end_to_end_on_the_server(lab_sandbox, emulator):
    """Through the emulator: a role and a group get AWS managed policies; ListPolicies sees them all."""
    if emulator.name != "moto":
        pytest.skip("moto extension")
    _, checker, _ = lab_sandbox("s3-put-object")
    iam = checker.iam
    iam.create_role(RoleName="fn", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')
    iam.attach_role_policy(RoleName="fn", PolicyArn=LAMBDA_BASIC)
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers", PolicyArn=READ_ONLY)
    iam.attach_group_policy(GroupName="readers", PolicyArn=READ_ONLY)  # twice is once, as on AWS
    attached = iam.list_attached_role_policies(RoleName="fn")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [LAMBDA_BASIC]
    assert iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["AttachmentCount"] == 1
    with pytest.raises(ClientError) as raised:
        iam.attach_role_policy(RoleName="fn", PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
    assert raised.value.response["Error"]["Code"] == "NoSuchEntity"
    aws_policies = iam.get_paginator("list_policies").paginate(Scope="AWS").build_full_result()["Policies"]
    assert len(aws_policies) == len(catalogue())

