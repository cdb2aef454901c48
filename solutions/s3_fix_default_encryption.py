"""Reference solution: the bucket default moved to the team's KMS key, and the old reports re-encrypted."""


def solve(aws):
    s3, kms, names = aws.s3, aws.kms, aws.names
    # Resolve the alias once and store the key ARN: S3 keeps whatever it is given, and an ARN keeps
    # naming the same key even if someone points the alias elsewhere later.
    key_arn = kms.describe_key(KeyId=names.key_alias)["KeyMetadata"]["Arn"]
    s3.put_bucket_encryption(Bucket=names.bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
        # One bucket-level key from KMS for a while instead of a KMS request per object: cheaper, fewer throttles.
        "BucketKeyEnabled": True,
    }]})
    # A default only applies to objects written after it. Copying an object onto itself with the new
    # encryption rewrites it under the new key; content, content type and metadata are copied along.
    for key in (names.q3, names.q4):
        s3.copy_object(Bucket=names.bucket, Key=key, CopySource={"Bucket": names.bucket, "Key": key},
                       # Name the key: aws:kms on its own means the AWS managed key aws/s3 on AWS.
                       ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn, BucketKeyEnabled=True)
