"""Checker for s3-sse-kms: a customer-managed key, the bucket default, the Bucket Key, an object."""

from labrunner.grading import failed, passed, steps
from labrunner.kms import describe_key, is_aws_managed
from labrunner.lookups import fetch

WRITE_OPERATIONS = ("PutObject", "CopyObject", "CreateMultipartUpload")


def check(aws):
    yield from steps(aws, key_behind_alias, bucket_default_is_the_key, bucket_key_enabled, object_reports_the_key)




def key_behind_alias(aws):
    alias = aws.names.key_alias
    key = describe_key(aws, alias)
    if key is None:
        return failed(f"No KMS key answers to {alias}; create a symmetric customer-managed key and give it "
                      f"the alias {alias}.")
    if key.get("KeyState") != "Enabled":
        return failed(f"KMS key {key['KeyId']} behind {alias} is {key.get('KeyState')}; expected Enabled.")
    if key.get("KeyUsage", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT" or key.get("KeySpec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
        return failed(f"KMS key {key['KeyId']} behind {alias} is {key.get('KeySpec')} for {key.get('KeyUsage')}; "
                      "S3 needs a symmetric ENCRYPT_DECRYPT key.")
    return passed(f"Customer-managed KMS key {key['KeyId']} is enabled under {alias}.")


def default_rule(aws):
    """The bucket's first encryption rule, or None when there is none."""
    config = fetch(aws.s3.get_bucket_encryption, Bucket=aws.names.bucket)
    rules = (config or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    return rules[0] if rules else None


def bucket_default_problem(aws, rule) -> str | None:
    """Why the bucket's default encryption is not SSE-KMS with the lab's key (None when it is)."""
    bucket, alias = aws.names.bucket, aws.names.key_alias
    default = (rule or {}).get("ApplyServerSideEncryptionByDefault")
    if not default:
        return (f"Bucket {bucket} has no default encryption rule of its own, so it encrypts with SSE-S3 (AES256), "
                f"the default of every bucket since January 2023; expected SSE-KMS (aws:kms) with {alias}.")
    algorithm = default.get("SSEAlgorithm")
    if algorithm == "AES256":
        return f"Bucket {bucket} encrypts by default with SSE-S3 (AES256); expected SSE-KMS (aws:kms) with {alias}."
    if algorithm != "aws:kms":
        return f"Bucket {bucket} encrypts by default with {algorithm}; expected aws:kms with {alias}."
    reference = default.get("KMSMasterKeyID")
    if not reference:
        return (f"Bucket {bucket} uses SSE-KMS without a key id, which means the AWS-managed key aws/s3; "
                f"expected the customer-managed key {alias}.")
    if reference.startswith("alias/aws/"):
        return f"Bucket {bucket} names the AWS-managed key {reference} (aws/s3); expected the customer-managed key {alias}."
    key, wanted = describe_key(aws, reference), describe_key(aws, alias)
    if key is None:
        return f"Bucket {bucket} names KMS key {reference}, which does not exist; expected {alias}."
    if is_aws_managed(aws, key):
        return f"Bucket {bucket} names the AWS-managed key {reference} (aws/s3); expected the customer-managed key {alias}."
    if wanted is None or key["KeyId"] != wanted["KeyId"]:
        return f"Bucket {bucket} names KMS key {reference} ({key['KeyId']}), which is not the key behind {alias}."
    return None


def bucket_default_is_the_key(aws):
    bucket, alias = aws.names.bucket, aws.names.key_alias
    if fetch(aws.s3.head_bucket, Bucket=bucket) is None:
        return failed(f"Bucket {bucket} does not exist yet; create it and set its default encryption to {alias}.")
    problem = bucket_default_problem(aws, default_rule(aws))
    if problem:
        return failed(problem, hint="PutBucketEncryption with SSEAlgorithm aws:kms and KMSMasterKeyID set to "
                      "your alias or key ARN.")
    return passed(f"Bucket {bucket} encrypts new objects by default with SSE-KMS under {alias}.")


def bucket_key_enabled(aws):
    bucket = aws.names.bucket
    rule = default_rule(aws) if fetch(aws.s3.head_bucket, Bucket=bucket) else None
    if rule is None:
        return failed(f"Bucket {bucket} has no default encryption rule, so no S3 Bucket Key either.")
    if not rule.get("BucketKeyEnabled"):
        return failed(f"Bucket {bucket}'s default encryption rule has BucketKeyEnabled false; expected true so "
                      "that S3 asks KMS for a bucket-level key instead of one data key per object.")
    return passed(f"Bucket {bucket}'s default encryption rule has the S3 Bucket Key enabled.")


def last_write(aws):
    """The learner's last successful call that wrote the object (None without a journal or a call)."""
    if not aws.journal.available:
        return None
    writes = [c for c in aws.journal.calls(service="s3", succeeded=True)
              if c.operation in WRITE_OPERATIONS and c.params.get("Key") == aws.names.key]
    return writes[-1] if writes else None


def object_reports_the_key(aws):
    bucket, key, alias = aws.names.bucket, aws.names.key, aws.names.key_alias
    head = fetch(aws.s3.head_object, Bucket=bucket, Key=key) if fetch(aws.s3.head_bucket, Bucket=bucket) else None
    if head is None:
        return failed(f"Object s3://{bucket}/{key} does not exist; put it without any encryption headers.")
    sse = head.get("ServerSideEncryption")
    if sse != "aws:kms":
        return failed(f"Object s3://{bucket}/{key} is encrypted with {sse or 'nothing reported'}, not aws:kms; "
                      "if you wrote it before setting the bucket default, put it again.")
    used, wanted = describe_key(aws, head.get("SSEKMSKeyId") or "alias/aws/s3"), describe_key(aws, alias)
    if used is None or wanted is None or used["KeyId"] != wanted["KeyId"]:
        return failed(f"Object s3://{bucket}/{key} is encrypted under KMS key "
                      f"{head.get('SSEKMSKeyId') or 'aws/s3 (AWS-managed)'}; expected the key behind {alias}.")
    write = last_write(aws)
    if write is not None and (write.params.get("ServerSideEncryption") or write.params.get("SSEKMSKeyId")):
        return failed(f"Object s3://{bucket}/{key} was written by {write.operation} with its own encryption "
                      "headers; put it again without them to show that the bucket default applies.")
    if not aws.journal.available:
        return passed(f"Object s3://{bucket}/{key} reports aws:kms under the key behind {alias} (whether it was put "
                      f"without encryption headers of its own needs the call journal, which {aws.backend.name} "
                      "does not keep).")
    return passed(f"Object s3://{bucket}/{key} reports aws:kms under the key behind {alias}, from the bucket default.")
