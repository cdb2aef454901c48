"""Reference solution: one PutObject that carries its content type and metadata."""

BODY = b"month,total\n2026-10,1200\n2026-11,1350\n2026-12,1410\n"


def solve(aws):
    s3, names = aws.s3, aws.names
    s3.create_bucket(Bucket=names.bucket)  # idempotent in us-east-1 for the bucket's owner
    # Headers are fixed when the object is written: set them on the same call,
    # since S3 does not infer a content type from the ".csv" suffix.
    s3.put_object(Bucket=names.bucket, Key=names.key, Body=BODY, ContentType=names.content_type,
                  Metadata={names.meta_key: names.meta_value})  # the SDK adds the x-amz-meta- prefix
