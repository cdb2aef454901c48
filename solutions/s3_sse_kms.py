"""Reference solution: a customer-managed key, the bucket default on it, one plain PutObject."""

from botocore.exceptions import ClientError


def key_arn(kms, alias: str) -> str:
    """The key behind the alias, created once: a second run must not pile up keys."""
    try:
        return kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NotFoundException":
            raise
    key = kms.create_key(Description="Default encryption key for the s3-sse-kms lab bucket")["KeyMetadata"]
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return key["Arn"]


def solve(aws):
    s3, names = aws.s3, aws.names
    arn = key_arn(aws.kms, names.key_alias)
    s3.create_bucket(Bucket=names.bucket)
    # The key ARN, not the alias: S3 stores what it is given, and an ARN keeps
    # pointing at the same key even if someone re-targets the alias later.
    s3.put_bucket_encryption(Bucket=names.bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn},
        # One bucket-level key from KMS instead of a GenerateDataKey call per object.
        "BucketKeyEnabled": True,
    }]})
    # No encryption headers: the point is that the bucket default does the work.
    s3.put_object(Bucket=names.bucket, Key=names.key, Body=b'{"invoice": "2026-12", "total": 1410}',
                  ContentType="application/json")
