"""Near-misses and alternatives for s3-put-object."""

import os
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.s3_put_object import BODY

CLI = [sys.executable, "-m", "awscli"]


def put(aws, key=None, **extra):
    aws.s3.create_bucket(Bucket=aws.names.bucket)
    aws.s3.put_object(Bucket=aws.names.bucket, Key=key or aws.names.key, Body=BODY, **extra)


def right_metadata(aws):
    return {aws.names.meta_key: aws.names.meta_value}


def no_content_type(aws):
    put(aws, Metadata=right_metadata(aws))


def text_plain(aws):
    put(aws, ContentType="text/plain", Metadata=right_metadata(aws))


def no_metadata(aws):
    put(aws, ContentType="text/csv")


def prefixed_metadata_key(aws):
    """The learner writes the header name as the key: S3 stores x-amz-meta-x-amz-meta-owner."""
    put(aws, ContentType="text/csv", Metadata={f"x-amz-meta-{aws.names.meta_key}": aws.names.meta_value})


def other_metadata_key(aws):
    put(aws, ContentType="text/csv", Metadata={"department": aws.names.meta_value})


def wrong_metadata_value(aws):
    put(aws, ContentType="text/csv", Metadata={aws.names.meta_key: "marketing"})


def key_without_prefix(aws):
    put(aws, key="2026-q4.csv", ContentType="text/csv", Metadata=right_metadata(aws))


def multipart(aws):
    s3, bucket, key = aws.s3, aws.names.bucket, aws.names.key
    s3.create_bucket(Bucket=bucket)
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="text/csv",
                                        Metadata=right_metadata(aws))["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=BODY)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})


NEAR_MISSES = [
    NearMiss("no bucket", step=1, expect="does not exist yet", apply=lambda aws: None),
    NearMiss("content type left out", step=2, expect="sends no ContentType", apply=no_content_type),
    NearMiss("wrong content type", step=2, expect="has content type text/plain", apply=text_plain),
    NearMiss("key without the reports/ prefix", step=2, expect="does not exist", apply=key_without_prefix),
    NearMiss("multipart instead of PutObject", step=2, expect="uploaded in parts", apply=multipart),
    NearMiss("metadata missing", step=3, expect="found: none", apply=no_metadata),
    NearMiss("x-amz-meta- prefix in the key", step=3, expect="x-amz-meta-owner=finance",
             apply=prefixed_metadata_key),
    NearMiss("another metadata key", step=3, expect="has no metadata key owner", apply=other_metadata_key),
    NearMiss("wrong metadata value", step=3, expect="has metadata owner=marketing", apply=wrong_metadata_value),
]


def cli(aws, *args):
    subprocess.run([*CLI, *args], env=aws.learner_env(), check=True, capture_output=True)


def aws_s3_cp(aws):
    path = os.path.join(os.environ["LABS_STATE_DIR"], "2026-q4.csv")
    with open(path, "wb") as handle:
        handle.write(BODY)
    names = aws.names
    cli(aws, "s3", "mb", f"s3://{names.bucket}")
    cli(aws, "s3", "cp", path, f"s3://{names.bucket}/{names.key}", "--content-type", names.content_type,
        "--metadata", f"{names.meta_key}={names.meta_value}")


def s3api_put_object(aws):
    names = aws.names
    path = os.path.join(os.environ["LABS_STATE_DIR"], "q4.csv")
    with open(path, "wb") as handle:
        handle.write(BODY)
    cli(aws, "s3api", "create-bucket", "--bucket", names.bucket)
    cli(aws, "s3api", "put-object", "--bucket", names.bucket, "--key", names.key, "--body", path,
        "--content-type", "text/csv; charset=utf-8", "--metadata", f'{{"{names.meta_key}":"{names.meta_value}"}}')


def resource_api(aws):
    names = aws.names
    bucket = aws.resource("s3").Bucket(names.bucket)
    bucket.create()
    bucket.Object(names.key).put(Body=BODY, ContentType=names.content_type,
                                 Metadata={names.meta_key.capitalize(): names.meta_value})  # S3 lower-cases it


def fixed_by_copy_onto_itself(aws):
    no_metadata(aws)
    names = aws.names
    aws.s3.copy_object(Bucket=names.bucket, Key=names.key, CopySource={"Bucket": names.bucket, "Key": names.key},
                       MetadataDirective="REPLACE", ContentType=names.content_type,
                       Metadata={names.meta_key: names.meta_value})


ALTERNATIVES = [
    Alternative("AWS CLI s3 cp with --content-type and --metadata", apply=aws_s3_cp),
    Alternative("AWS CLI s3api put-object with a charset", apply=s3api_put_object),
    Alternative("resource API Object.put with a capitalised key", apply=resource_api),
    Alternative("metadata added later by copying onto itself", apply=fixed_by_copy_onto_itself),
]

test_near_miss = near_miss_test("s3-put-object", NEAR_MISSES)
test_alternative = alternative_test("s3-put-object", ALTERNATIVES)
