"""Near-misses and alternatives for ssm-parameter-hierarchy."""

import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.ssm_parameter_hierarchy import STAGES, ensure_key, solve


def put_password(aws, stage, **extra):
    aws.ssm.put_parameter(Name=f"/app/{stage}/db/password", Value=STAGES[stage]["db/password"], Overwrite=True,
                          **extra)


def password_as_string(aws):
    solve(aws)
    aws.ssm.delete_parameter(Name="/app/prod/db/password")  # the type cannot be changed by overwriting
    put_password(aws, "prod", Type="String")


def password_under_default_key(aws):
    solve(aws)
    aws.ssm.delete_parameter(Name="/app/dev/db/password")
    put_password(aws, "dev", Type="SecureString")  # no KeyId: SSM picks aws/ssm


def password_under_another_key(aws):
    solve(aws)
    other = aws.kms.create_key(Description="another key")["KeyMetadata"]["KeyId"]
    put_password(aws, "prod", Type="SecureString", KeyId=other)


def no_prod(aws):
    solve(aws)
    aws.ssm.delete_parameters(Names=[f"/app/prod/{leaf}" for leaf in STAGES["prod"]])


def no_key(aws):
    solve(aws)
    aws.kms.delete_alias(AliasName=aws.names.key_alias)


LOADER = '''import boto3

def load_config(stage):
    config = {{}}
    for page in boto3.client("ssm").get_paginator("get_parameters_by_path").paginate({args}):
        for p in page["Parameters"]:
            config[{key}] = p["Value"]
    return config
'''
NO_DECRYPTION = LOADER.format(args='Path=f"/app/{stage}", Recursive=True', key='p["Name"].removeprefix(f"/app/{stage}/")')
NOT_RECURSIVE = LOADER.format(args='Path=f"/app/{stage}", WithDecryption=True',
                              key='p["Name"].removeprefix(f"/app/{stage}/")')
FULL_NAMES = LOADER.format(args='Path=f"/app/{stage}", Recursive=True, WithDecryption=True', key='p["Name"]')
ONE_BY_ONE = '''import boto3

def load_config(stage):
    ssm = boto3.client("ssm")
    return {leaf: ssm.get_parameter(Name=f"/app/{stage}/{leaf}", WithDecryption=True)["Parameter"]["Value"]
            for leaf in ("db/host", "db/user", "db/password")}
'''
PATH_THEN_NAMES = '''import boto3

def load_config(stage):
    ssm = boto3.client("ssm")
    names = [p["Name"] for p in ssm.get_parameters_by_path(Path=f"/app/{stage}", Recursive=True)["Parameters"]]
    found = ssm.get_parameters(Names=names, WithDecryption=True)["Parameters"]
    return {p["Name"].removeprefix(f"/app/{stage}/"): p["Value"] for p in found}
'''

NEAR_MISSES = [
    NearMiss("no key alias", step=1, expect="does not exist", apply=no_key),
    NearMiss("password stored as String", step=2, expect="stored as String", apply=password_as_string),
    NearMiss("prod branch missing", step=2, expect="/app/prod/db/host is missing", apply=no_prod),
    NearMiss("password under aws/ssm", step=3, expect="the default aws/ssm key", apply=password_under_default_key),
    NearMiss("password under another key", step=3, expect="expected the key behind", apply=password_under_another_key),
    NearMiss("load_config without decryption", step=4, expect="still encrypted", code=NO_DECRYPTION),
    NearMiss("load_config not recursive", step=4, expect="has no key db/host", code=NOT_RECURSIVE),
    NearMiss("keys are full names", step=4, expect="has no key db/host", code=FULL_NAMES),
    NearMiss("reads one by one by name", step=5, expect="instead", code=ONE_BY_ONE),
    NearMiss("path for names, then GetParameters", step=5, expect="also made 1 GetParameter", code=PATH_THEN_NAMES),
]

MANUAL_PAGES = '''import boto3

ssm = boto3.client("ssm")


def load_config(stage):
    base = f"/app/{stage}/"
    config, kwargs = {}, {"Path": base, "Recursive": True, "WithDecryption": True, "MaxResults": 2}
    while True:
        page = ssm.get_parameters_by_path(**kwargs)
        config.update({p["Name"][len(base):]: p["Value"] for p in page["Parameters"]})
        if "NextToken" not in page:
            return config
        kwargs["NextToken"] = page["NextToken"]
'''


def cli_with_key_arn(aws):
    """The learner's shell: key and alias with the CLI, passwords named by key ARN."""
    env, cli = aws.learner_env(), [sys.executable, "-m", "awscli"]
    key_arn = subprocess.run([*cli, "kms", "create-key", "--query", "KeyMetadata.Arn", "--output", "text"],
                             env=env, check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([*cli, "kms", "create-alias", "--alias-name", aws.names.key_alias, "--target-key-id", key_arn],
                   env=env, check=True, capture_output=True)
    for stage, values in STAGES.items():
        for leaf, value in values.items():
            secure = ["--type", "SecureString", "--key-id", key_arn] if leaf == "db/password" else ["--type", "String"]
            subprocess.run([*cli, "ssm", "put-parameter", "--name", f"/app/{stage}/{leaf}", "--value", value,
                            *secure], env=env, check=True, capture_output=True)


def key_id_and_advanced_tier(aws):
    key_id = ensure_key(aws.kms, aws.names.key_alias)
    for stage, values in STAGES.items():
        for leaf, value in values.items():
            extra = {"Type": "SecureString", "KeyId": key_id} if leaf == "db/password" else {"Type": "String"}
            aws.ssm.put_parameter(Name=f"/app/{stage}/{leaf}", Value=value, Tier="Advanced",
                                  Description=f"{stage} {leaf}", **extra)


ALTERNATIVES = [
    Alternative("CLI with the key ARN, manual NextToken loop", apply=cli_with_key_arn, code=MANUAL_PAGES),
    Alternative("key id, advanced tier, reference loader", apply=key_id_and_advanced_tier),
]

test_near_miss = near_miss_test("ssm-parameter-hierarchy", NEAR_MISSES)
test_alternative = alternative_test("ssm-parameter-hierarchy", ALTERNATIVES)
