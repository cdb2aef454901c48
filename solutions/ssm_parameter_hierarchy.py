"""Reference solution: two stage branches, passwords under a key we control, read by path."""

import boto3
from botocore.exceptions import ClientError

STAGES = {
    "dev": {"db/host": "dev-db.internal", "db/user": "app_dev", "db/password": "dev-Secret-1"},
    "prod": {"db/host": "prod-db.internal", "db/user": "app_prod", "db/password": "prod-Secret-1"},
}


def ensure_key(kms, alias: str) -> str:
    """The key behind `alias`, created on the first run only (keys are not free)."""
    try:
        return kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NotFoundException":
            raise
    key_id = kms.create_key(Description="Lab app configuration secrets")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return key_id


def solve(aws):
    alias = aws.names.key_alias
    ensure_key(aws.kms, alias)
    for stage, values in STAGES.items():
        for name, value in values.items():
            secret = name.endswith("password")
            extra = {"Type": "SecureString", "KeyId": alias} if secret else {"Type": "String"}
            # Overwrite makes a second run a new version instead of an error.
            aws.ssm.put_parameter(Name=f"/app/{stage}/{name}", Value=value, Overwrite=True, **extra)


def load_config(stage: str) -> dict:
    """Every parameter under /app/<stage>/, keyed by its name below that path, decrypted."""
    prefix = f"/app/{stage}/"
    config = {}
    # A page holds at most 10 parameters: the paginator keeps the function right as the tree grows.
    pages = boto3.client("ssm").get_paginator("get_parameters_by_path").paginate(
        Path=f"/app/{stage}", Recursive=True, WithDecryption=True)
    for page in pages:
        for parameter in page["Parameters"]:
            config[parameter["Name"].removeprefix(prefix)] = parameter["Value"]
    return config
