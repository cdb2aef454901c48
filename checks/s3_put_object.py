"""Checker for s3-put-object: the bucket, one PutObject with a content type, user metadata."""

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

# What S3 stores when PutObject sends no ContentType (binary/octet-stream); ministack stores the other one.
DEFAULT_CONTENT_TYPES = ("binary/octet-stream", "application/octet-stream")


def check(aws):
    yield from steps(aws, bucket_exists, object_has_content_type, object_has_metadata)


def bucket_exists(aws):
    bucket = aws.names.bucket
    if fetch(aws.s3.head_bucket, Bucket=bucket) is None:
        return failed(f"Bucket {bucket} does not exist yet; create it in us-east-1.")
    return passed(f"Bucket {bucket} exists.")


def head(aws):
    """The object's headers, or None when the bucket or the object is missing."""
    bucket, key = aws.names.bucket, aws.names.key
    if fetch(aws.s3.head_bucket, Bucket=bucket) is None:
        return None
    return fetch(aws.s3.head_object, Bucket=bucket, Key=key)


def media_type(content_type: str) -> str:
    """`text/csv; charset=utf-8` -> `text/csv`."""
    return content_type.split(";", 1)[0].strip().lower()


def object_has_content_type(aws):
    bucket, key, expected = aws.names.bucket, aws.names.key, aws.names.content_type
    found = head(aws)
    if found is None:
        return failed(f"Object s3://{bucket}/{key} does not exist; put it with content type {expected}.")
    if "-" in found["ETag"].strip('"'):
        return failed(f"Object s3://{bucket}/{key} was uploaded in parts (ETag {found['ETag']}); this lab "
                      "expects one PutObject request.")
    content_type = found.get("ContentType", "")
    if media_type(content_type) != expected:
        default = " (the default stored when PutObject sends no ContentType)" \
            if content_type in DEFAULT_CONTENT_TYPES else ""
        return failed(f"Object s3://{bucket}/{key} has content type {content_type or '(none)'}{default}; "
                      f"expected {expected}.", hint="Send ContentType on the PutObject call itself.")
    return passed(f"Object s3://{bucket}/{key} was stored in one request with content type {content_type}.")


def object_has_metadata(aws):
    bucket, key = aws.names.bucket, aws.names.key
    meta_key, meta_value = aws.names.meta_key, aws.names.meta_value
    found = head(aws)
    if found is None:
        return failed(f"Object s3://{bucket}/{key} does not exist, so it has no metadata {meta_key}={meta_value}.")
    metadata = {k.lower(): v for k, v in found.get("Metadata", {}).items()}
    if meta_key in metadata and metadata[meta_key] == meta_value:
        return passed(f"Object s3://{bucket}/{key} carries the metadata {meta_key}={meta_value}.")
    if meta_key in metadata:
        return failed(f"Object s3://{bucket}/{key} has metadata {meta_key}={metadata[meta_key]}; "
                      f"expected {meta_key}={meta_value}.")
    shown = ", ".join(f"{k}={v}" for k, v in sorted(metadata.items())) or "none"
    return failed(f"Object s3://{bucket}/{key} has no metadata key {meta_key} (found: {shown}); expected "
                  f"{meta_key}={meta_value}.", hint=f"Name the key {meta_key} only: the SDK and the CLI add "
                  "the x-amz-meta- prefix themselves.")
