"""Near-misses and alternatives for s3-multipart-upload."""

import os
import subprocess
import sys

from boto3.s3.transfer import TransferConfig

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.s3_multipart_upload import solve

MIB = 1024 * 1024
RULE = {"ID": "abort", "Status": "Enabled", "Filter": {}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}}


def bucket_with_rule(aws, rule=RULE):
    aws.s3.create_bucket(Bucket=aws.names.bucket)
    aws.s3.put_bucket_lifecycle_configuration(Bucket=aws.names.bucket, LifecycleConfiguration={"Rules": [rule]})


def single_put(aws):
    bucket_with_rule(aws)
    aws.s3.put_object(Bucket=aws.names.bucket, Key=aws.names.key, Body=os.urandom(16 * MIB))


def two_parts_from_default_chunking(aws):
    bucket_with_rule(aws)
    path = os.path.join(os.environ["LABS_STATE_DIR"], "two-parts.bin")
    with open(path, "wb") as handle:
        handle.write(os.urandom(15 * MIB))
    aws.s3.upload_file(path, aws.names.bucket, aws.names.key)  # 8 MiB parts: 2 of them


def abandoned_upload(aws):
    solve(aws)
    aws.s3.create_multipart_upload(Bucket=aws.names.bucket, Key="backups/retry.bin")


def no_rule(aws):
    solve(aws)
    aws.s3.delete_bucket_lifecycle(Bucket=aws.names.bucket)


def rule_on_a_prefix_only(aws):
    solve(aws)
    bucket_with_rule(aws, {**RULE, "Filter": {"Prefix": "tmp/"}})


def rule_disabled(aws):
    solve(aws)
    bucket_with_rule(aws, {**RULE, "Status": "Disabled"})


def rule_without_abort(aws):
    solve(aws)
    bucket_with_rule(aws, {"ID": "expire", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 30}})


def too_small(aws):
    bucket_with_rule(aws)
    s3, bucket, key = aws.s3, aws.names.bucket, aws.names.key
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"x" * MIB)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})


NEAR_MISSES = [
    NearMiss("one PutObject", step=2, expect="with one PutObject call", apply=single_put),
    NearMiss("8 MiB default parts", step=2, expect="in 2 parts", apply=two_parts_from_default_chunking),
    NearMiss("object under 15 MiB", step=2, expect="at least 15 MiB", apply=too_small),
    NearMiss("abandoned upload", step=3, expect="1 incomplete multipart upload", apply=abandoned_upload),
    NearMiss("no lifecycle rule", step=4, expect="no lifecycle configuration", apply=no_rule),
    NearMiss("rule on a prefix", step=4, expect="cover the whole bucket", apply=rule_on_a_prefix_only),
    NearMiss("rule disabled", step=4, expect="found status Disabled", apply=rule_disabled),
    NearMiss("rule expires objects", step=4, expect="none with AbortIncompleteMultipartUpload",
             apply=rule_without_abort),
]


def transfer_manager_small_parts(aws):
    bucket_with_rule(aws)
    body = os.path.join(os.environ["LABS_STATE_DIR"], "tm.bin")
    with open(body, "wb") as handle:
        handle.write(os.urandom(15 * MIB))
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    aws.resource("s3").Bucket(aws.names.bucket).upload_file(body, aws.names.key, Config=config)


def aws_cli(aws):
    """The learner's shell: `aws s3 cp` of a 24 MiB file (8 MiB parts: 3 of them)."""
    env = aws.learner_env()
    body = os.path.join(os.environ["LABS_STATE_DIR"], "cli.bin")
    with open(body, "wb") as handle:
        handle.write(os.urandom(24 * MIB))
    cli = [sys.executable, "-m", "awscli"]
    bucket = aws.names.bucket
    subprocess.run([*cli, "s3", "mb", f"s3://{bucket}"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "s3", "cp", body, f"s3://{bucket}/{aws.names.key}"], env=env, check=True,
                   capture_output=True)
    rules = '{"Rules":[{"ID":"abort","Status":"Enabled","Filter":{},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}'
    subprocess.run([*cli, "s3api", "put-bucket-lifecycle-configuration", "--bucket", bucket,
                    "--lifecycle-configuration", rules], env=env, check=True, capture_output=True)


ALTERNATIVES = [
    Alternative("resource API with 5 MiB transfer parts", apply=transfer_manager_small_parts),
    Alternative("AWS CLI s3 cp of a 24 MiB file", apply=aws_cli),
]

test_near_miss = near_miss_test("s3-multipart-upload", NEAR_MISSES)
test_alternative = alternative_test("s3-multipart-upload", ALTERNATIVES)
