"""The policy helpers read every shape IAM documents come in."""

import json
from urllib.parse import quote

from labrunner.iam_policies import account_of_principal, describe_principals, trusted_principals

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "444455556666"]},
     "Action": ["sts:AssumeRole", "sts:TagSession"]},
    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
     "Action": "sts:AssumeRoleWithWebIdentity"},
]}


def test_principals_from_dict_text_and_url_encoded_text():
    expected = [("Service", "ec2.amazonaws.com"), ("AWS", "arn:aws:iam::111122223333:root"),
                ("AWS", "444455556666")]
    for form in (TRUST, json.dumps(TRUST), quote(json.dumps(TRUST))):
        assert trusted_principals(form) == expected


def test_star_principal_and_single_statement():
    document = {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:*"}}
    assert trusted_principals(document) == [("*", "*")]
    assert describe_principals(trusted_principals(document)) == '"*" (anyone)'


def test_empty_and_missing_documents():
    assert trusted_principals(None) == []
    assert trusted_principals({}) == []
    assert describe_principals([]) == "no principal allowed to call sts:AssumeRole"


def test_account_of_principal():
    assert account_of_principal("arn:aws:iam::111122223333:user/dev") == "111122223333"
    assert account_of_principal("111122223333") == "111122223333"
    assert account_of_principal("ec2.amazonaws.com") is None
