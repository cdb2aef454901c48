"""Near-misses and alternatives for s3-sse-kms."""

import json
import os
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.s3_sse_kms import key_arn, solve

CLI = [sys.executable, "-m", "awscli"]
BODY = b'{"invoice": "2026-12"}'


def bucket_default(aws, default, bucket_key=True):
    aws.s3.create_bucket(Bucket=aws.names.bucket)
    aws.s3.put_bucket_encryption(Bucket=aws.names.bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bucket_key}]})


def plain_put(aws, **headers):
    aws.s3.put_object(Bucket=aws.names.bucket, Key=aws.names.key, Body=BODY, **headers)


def with_default(default, bucket_key=True):
    def apply(aws):
        key_arn(aws.kms, aws.names.key_alias)
        bucket_default(aws, default, bucket_key)
        plain_put(aws)
    return apply


def key_disabled(aws):
    solve(aws)
    key_id = aws.kms.describe_key(KeyId=aws.names.key_alias)["KeyMetadata"]["KeyId"]
    aws.kms.disable_key(KeyId=key_id)


def another_customer_key(aws):
    key_arn(aws.kms, aws.names.key_alias)
    other = aws.kms.create_key(Description="a second key")["KeyMetadata"]["Arn"]
    bucket_default(aws, {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": other})
    plain_put(aws)


def bucket_key_off(aws):
    arn = key_arn(aws.kms, aws.names.key_alias)
    with_default({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn}, bucket_key=False)(aws)


def headers_only(aws):
    """Every object encrypted by hand, the bucket left without a default."""
    arn = key_arn(aws.kms, aws.names.key_alias)
    aws.s3.create_bucket(Bucket=aws.names.bucket)
    plain_put(aws, ServerSideEncryption="aws:kms", SSEKMSKeyId=arn, BucketKeyEnabled=True)


def headers_despite_default(aws):
    solve(aws)
    plain_put(aws, ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn(aws.kms, aws.names.key_alias))


def object_before_default(aws):
    aws.s3.create_bucket(Bucket=aws.names.bucket)
    plain_put(aws)
    arn = key_arn(aws.kms, aws.names.key_alias)
    bucket_default(aws, {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn})


def no_object(aws):
    arn = key_arn(aws.kms, aws.names.key_alias)
    bucket_default(aws, {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn})


NEAR_MISSES = [
    NearMiss("no key under the alias", step=1, expect="No KMS key answers to alias/lab-s3",
             apply=lambda aws: aws.s3.create_bucket(Bucket=aws.names.bucket)),
    NearMiss("key disabled", step=1, expect="is Disabled", apply=key_disabled),
    NearMiss("SSE-S3 instead of SSE-KMS", step=2, expect="SSE-S3 (AES256)", apply=with_default({"SSEAlgorithm": "AES256"})),
    NearMiss("SSE-KMS without a key id", step=2, expect="the AWS-managed key aws/s3",
             apply=with_default({"SSEAlgorithm": "aws:kms"})),
    NearMiss("the aws/s3 alias named", step=2, expect="names the AWS-managed key alias/aws/s3",
             apply=with_default({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/aws/s3"})),
    NearMiss("another customer-managed key", step=2, expect="not the key behind alias/lab-s3",
             apply=another_customer_key),
    NearMiss("encryption headers on the object, no bucket default", step=2, expect="SSE-S3 (AES256)",
             apply=headers_only),
    NearMiss("bucket key not enabled", step=3, expect="BucketKeyEnabled false", apply=bucket_key_off),
    NearMiss("object put with its own headers", step=4, expect="with its own encryption headers",
             apply=headers_despite_default, needs=("journal",)),
    NearMiss("object written before the default", step=4, expect="not aws:kms", apply=object_before_default),
    NearMiss("no object", step=4, expect="does not exist", apply=no_object),
]


def cli(aws, *args) -> str:
    return subprocess.run([*CLI, *args], env=aws.learner_env(), check=True, capture_output=True, text=True).stdout


def aws_cli_with_alias(aws):
    names = aws.names
    key_id = json.loads(cli(aws, "kms", "create-key"))["KeyMetadata"]["KeyId"]
    cli(aws, "kms", "create-alias", "--alias-name", names.key_alias, "--target-key-id", key_id)
    cli(aws, "s3", "mb", f"s3://{names.bucket}")
    rules = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                               "KMSMasterKeyID": names.key_alias},
                        "BucketKeyEnabled": True}]}
    cli(aws, "s3api", "put-bucket-encryption", "--bucket", names.bucket,
        "--server-side-encryption-configuration", json.dumps(rules))
    path = os.path.join(os.environ["LABS_STATE_DIR"], "invoice.json")
    with open(path, "wb") as handle:
        handle.write(BODY)
    cli(aws, "s3", "cp", path, f"s3://{names.bucket}/{names.key}")


def key_id_and_resource_api(aws):
    names = aws.names
    key_id = aws.kms.create_key()["KeyMetadata"]["KeyId"]
    aws.kms.create_alias(AliasName=names.key_alias, TargetKeyId=key_id)
    bucket_default(aws, {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id})
    aws.resource("s3").Object(names.bucket, names.key).put(Body=BODY)


def object_rewritten_after_default(aws):
    """A learner who wrote too early and then wrote the object again."""
    object_before_default(aws)
    plain_put(aws)


ALTERNATIVES = [
    Alternative("AWS CLI with the alias as the bucket key id", apply=aws_cli_with_alias),
    Alternative("key id in the rule, resource API put", apply=key_id_and_resource_api),
    Alternative("object rewritten after the default was set", apply=object_rewritten_after_default),
]

test_near_miss = near_miss_test("s3-sse-kms", NEAR_MISSES)
test_alternative = alternative_test("s3-sse-kms", ALTERNATIVES)
