"""Near-misses and alternatives for s3-fix-default-encryption (applied after setup, on the broken bucket)."""

import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.s3_fix_default_encryption import solve

LAB = "s3-fix-default-encryption"
CLI = [sys.executable, "-m", "awscli"]


def arn_of(aws, alias):
    return aws.kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]


def set_default(aws, default, bucket_key=True):
    aws.s3.put_bucket_encryption(Bucket=aws.names.bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bucket_key}]})


def copy_in_place(aws, key, **encryption):
    aws.s3.copy_object(Bucket=aws.names.bucket, Key=key, CopySource={"Bucket": aws.names.bucket, "Key": key},
                       **encryption)


def re_encrypt_both(aws, **encryption):
    for key in (aws.names.q3, aws.names.q4):
        copy_in_place(aws, key, **encryption)


def with_default(default, bucket_key=True):
    """The default set as given, both reports re-encrypted under the right key."""
    def apply(aws):
        set_default(aws, default(aws), bucket_key)
        re_encrypt_both(aws, ServerSideEncryption="aws:kms", SSEKMSKeyId=arn_of(aws, aws.names.key_alias))
    return apply


def default_only(aws):
    set_default(aws, {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn_of(aws, aws.names.key_alias)})


def only_q3_copied(aws):
    default_only(aws)
    copy_in_place(aws, aws.names.q3, ServerSideEncryption="aws:kms", SSEKMSKeyId=aws.names.key_alias)


def only_q4_copied(aws):
    default_only(aws)
    copy_in_place(aws, aws.names.q4, ServerSideEncryption="aws:kms", SSEKMSKeyId=aws.names.key_alias)


def copied_under_archive_key(aws):
    default_only(aws)
    re_encrypt_both(aws, ServerSideEncryption="aws:kms", SSEKMSKeyId=aws.names.other_alias)


def copied_with_aws_kms_but_no_key(aws):
    """moto fills in the bucket default here; AWS would use aws/s3: graded from the journal."""
    default_only(aws)
    re_encrypt_both(aws, ServerSideEncryption="aws:kms")


def reports_deleted(aws):
    default_only(aws)
    aws.s3.delete_object(Bucket=aws.names.bucket, Key=aws.names.q4)
    copy_in_place(aws, aws.names.q3, ServerSideEncryption="aws:kms", SSEKMSKeyId=aws.names.key_alias)


def report_overwritten(aws):
    """A fresh upload instead of a copy: the bytes are not the report any more."""
    default_only(aws)
    copy_in_place(aws, aws.names.q3, ServerSideEncryption="aws:kms", SSEKMSKeyId=aws.names.key_alias)
    aws.s3.put_object(Bucket=aws.names.bucket, Key=aws.names.q4, Body=b"month,revenue\n")


def encryption_removed(aws):
    aws.s3.delete_bucket_encryption(Bucket=aws.names.bucket)


NEAR_MISSES = [
    NearMiss("nothing done", step=1, expect="still encrypts by default with SSE-S3 (AES256)", apply=lambda aws: None),
    NearMiss("SSE-KMS without a key id (aws/s3)", step=1, expect="the AWS managed key aws/s3",
             apply=with_default(lambda aws: {"SSEAlgorithm": "aws:kms"})),
    # moto: "names the AWS managed key alias/aws/s3"; ministack has no aws/s3 key: "names KMS key alias/aws/s3, which
    # does not exist".
    NearMiss("the aws/s3 alias named", step=1, expect="alias/aws/s3",
             apply=with_default(lambda aws: {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/aws/s3"})),
    NearMiss("the archive key's id", step=1, expect="alias/lab-archive), which is not the key behind alias/lab-reports",
             apply=with_default(lambda aws: {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": aws.kms.describe_key(
                 KeyId=aws.names.other_alias)["KeyMetadata"]["KeyId"]})),
    # AWS (and ministack) fall back to SSE-S3 when the configuration is deleted; moto reports none.
    NearMiss("default encryption deleted", step=1, expect="expected SSE-KMS (aws:kms) with alias/lab-reports",
             apply=encryption_removed),
    NearMiss("bucket key disabled", step=2, expect="BucketKeyEnabled false",
             apply=with_default(lambda aws: {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": aws.names.key_alias},
                                bucket_key=False)),
    NearMiss("default fixed, old reports left as they were", step=3, expect="is still encrypted with AES256",
             apply=default_only),
    NearMiss("only the SSE-S3 report copied", step=3, expect="alias/lab-archive), which is not the key behind",
             apply=only_q3_copied),
    NearMiss("only the archive-key report copied", step=3, expect="still encrypted with AES256", apply=only_q4_copied),
    NearMiss("reports copied under the archive key", step=3, expect="2 of 2 reports are not done",
             apply=copied_under_archive_key),
    NearMiss("copied with aws:kms but no key id", step=3, expect="which on AWS means the AWS managed key aws/s3",
             apply=copied_with_aws_kms_but_no_key, needs=("journal",)),  # on AWS the copy uses aws/s3
    NearMiss("a report deleted", step=3, expect="is gone", apply=reports_deleted),
    NearMiss("a report overwritten by a new upload", step=3, expect="its content changed", apply=report_overwritten),
]


def cli(aws, *args) -> str:
    return subprocess.run([*CLI, *args], env=aws.learner_env(), check=True, capture_output=True, text=True).stdout


def aws_cli(aws):
    """The learner's shell: s3api for the default (alias, not ARN), `aws s3 cp` onto itself for each report."""
    names = aws.names
    cli(aws, "s3api", "put-bucket-encryption", "--bucket", names.bucket, "--server-side-encryption-configuration",
        '{"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "'
        + names.key_alias + '"}, "BucketKeyEnabled": true}]}')
    for key in (names.q3, names.q4):
        uri = f"s3://{names.bucket}/{key}"
        cli(aws, "s3", "cp", uri, uri, "--sse", "aws:kms", "--sse-kms-key-id", names.key_alias)


def resource_api_key_id(aws):
    """boto3's resource API, the key named by its bare key id, copies through Object.copy_from."""
    key_id = aws.kms.describe_key(KeyId=aws.names.key_alias)["KeyMetadata"]["KeyId"]
    set_default(aws, {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id})
    bucket = aws.resource("s3").Bucket(aws.names.bucket)
    for summary in bucket.objects.all():
        summary.Object().copy_from(CopySource={"Bucket": bucket.name, "Key": summary.key},
                                   ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id,
                                   MetadataDirective="COPY")


def default_first_then_copy_with_metadata_replaced(aws):
    """Default fixed first; copies that replace metadata (also a change S3 accepts) and name the key."""
    default_only(aws)
    for key in (aws.names.q3, aws.names.q4):
        copy_in_place(aws, key, MetadataDirective="REPLACE", ContentType="text/csv",
                      Metadata={"re-encrypted": "2026-12"}, ServerSideEncryption="aws:kms",
                      SSEKMSKeyId=aws.names.key_alias)


ALTERNATIVES = [
    Alternative("AWS CLI with the alias", apply=aws_cli),
    Alternative("resource API with the key id", apply=resource_api_key_id),
    Alternative("copies that replace metadata", apply=default_first_then_copy_with_metadata_replaced),
]

test_near_miss = near_miss_test(LAB, NEAR_MISSES)
test_alternative = alternative_test(LAB, ALTERNATIVES)
