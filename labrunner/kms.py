"""KMS reads that several checkers share: a key by any of its names, and whether AWS manages it."""

from __future__ import annotations

from botocore.exceptions import ClientError

from .lookups import error_code

NO_SUCH_KEY = ("NotFoundException", "NotFound", "InvalidArnException")


def describe_key(aws, reference: str) -> dict | None:
    """KeyMetadata for a key id, key ARN, alias name or alias ARN; None when KMS knows no such key."""
    try:
        return aws.kms.describe_key(KeyId=reference)["KeyMetadata"]
    except ClientError as exc:
        if error_code(exc) in NO_SUCH_KEY:
            return None
        raise


def is_aws_managed(aws, key: dict) -> bool:
    """moto reports AWS managed keys (alias/aws/s3, alias/aws/rds, ...) as KeyManager CUSTOMER: the alias tells."""
    if key.get("KeyManager") == "AWS":
        return True
    aliases = aws.kms.list_aliases(KeyId=key["KeyId"]).get("Aliases", [])
    return any(a["AliasName"].startswith("alias/aws/") for a in aliases)
