"""Reference solution: upload in parts, clean up, and let a rule clean up later."""

import os

PART_SIZE = 5 * 1024 * 1024  # the smallest part S3 accepts (except the last one)
PARTS = 3


def solve(aws):
    s3 = aws.s3
    bucket, key = aws.names.bucket, aws.names.key
    s3.create_bucket(Bucket=bucket)  # idempotent in us-east-1 for the bucket's owner

    # Any upload left over from earlier attempts costs storage: abort it first.
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])

    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = []
    for number in range(1, PARTS + 1):
        # Each part's ETag is the receipt S3 needs to assemble the object.
        response = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                  Body=os.urandom(PART_SIZE))
        parts.append({"PartNumber": number, "ETag": response["ETag"]})
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                 MultipartUpload={"Parts": parts})

    # A rule, not discipline, is what keeps abandoned parts from piling up.
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "abort-incomplete-uploads",
        "Status": "Enabled",
        "Filter": {},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }]})
