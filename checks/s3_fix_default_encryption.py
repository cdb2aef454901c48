"""Checker for s3-fix-default-encryption: the default on the team's key, the Bucket Key, old objects re-encrypted."""

import hashlib

from labrunner.grading import failed, passed, steps
from labrunner.kms import describe_key
from labrunner.lookups import fetch

# What setup leaves in the bucket: the two reports written before anyone noticed.
REPORTS = {
    "q3": b"month,revenue\n2026-07,118200\n2026-08,120950\n2026-09,131400\n",
    "q4": b"month,revenue\n2026-10,129800\n2026-11,134050\n2026-12,140100\n",
}
WRITE_OPERATIONS = ("PutObject", "CopyObject", "CreateMultipartUpload")


def setup(aws):
    """The team's key and a decoy key exist; the bucket encrypts with SSE-S3; old reports carry wrong keys."""
    names, kms, s3 = aws.names, aws.kms, aws.s3
    reports = kms.create_key(Description="Finance reports: the key the security team approved")["KeyMetadata"]
    kms.create_alias(AliasName=names.key_alias, TargetKeyId=reports["KeyId"])
    archive = kms.create_key(Description="Cold archive of old statements: not for live reports")["KeyMetadata"]
    kms.create_alias(AliasName=names.other_alias, TargetKeyId=archive["KeyId"])
    s3.create_bucket(Bucket=names.bucket)
    s3.put_bucket_encryption(Bucket=names.bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]})
    # q3 took the bucket default (SSE-S3); q4 was uploaded by hand under the archive key.
    s3.put_object(Bucket=names.bucket, Key=names.q3, Body=REPORTS["q3"], ContentType="text/csv")
    s3.put_object(Bucket=names.bucket, Key=names.q4, Body=REPORTS["q4"], ContentType="text/csv",
                  ServerSideEncryption="aws:kms", SSEKMSKeyId=archive["Arn"])


def check(aws):
    yield from steps(aws, default_uses_the_team_key, bucket_key_enabled, old_reports_re_encrypted)


# --- keys -----------------------------------------------------------------


def aliases_of(aws, key_id: str) -> list[str]:
    return [a["AliasName"] for a in aws.kms.list_aliases(KeyId=key_id).get("Aliases", [])]


def is_aws_managed(aws, key: dict) -> bool:
    """moto reports alias/aws/s3's key as KeyManager CUSTOMER: look at its aliases too."""
    return key.get("KeyManager") == "AWS" or any(a.startswith("alias/aws/") for a in aliases_of(aws, key["KeyId"]))


def key_problem(aws, reference: str | None, what: str) -> str | None:
    """Why `reference` (a key id, ARN or alias; None = aws/s3) is not the key behind the lab's alias."""
    alias = aws.names.key_alias
    if not reference:
        return f"{what} uses SSE-KMS without a key id, which means the AWS managed key aws/s3; expected {alias}"
    key, wanted = describe_key(aws, reference), describe_key(aws, alias)
    if key is None:
        return f"{what} names KMS key {reference}, which does not exist; expected {alias}"
    if is_aws_managed(aws, key):
        return f"{what} names the AWS managed key {reference} (aws/s3); expected the customer managed key {alias}"
    if wanted is None:
        return f"{what} names KMS key {reference}, but no key answers to {alias} any more"
    if key["KeyId"] != wanted["KeyId"]:
        known = ", ".join(aliases_of(aws, key["KeyId"])) or "no alias"
        return f"{what} names KMS key {reference} ({known}), which is not the key behind {alias}"
    return None


# --- steps 1-2: the bucket default ----------------------------------------

def default_rule(aws):
    config = fetch(aws.s3.get_bucket_encryption, Bucket=aws.names.bucket)
    rules = (config or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    return rules[0] if rules else None


def bucket_exists(aws) -> bool:
    return fetch(aws.s3.head_bucket, Bucket=aws.names.bucket) is not None


def default_uses_the_team_key(aws):
    bucket, alias = aws.names.bucket, aws.names.key_alias
    if not bucket_exists(aws):
        return failed(f"Bucket {bucket} does not exist any more; it was there with its reports at the start: "
                      "`inv lab.reset` brings it back.")
    default = (default_rule(aws) or {}).get("ApplyServerSideEncryptionByDefault") or {}
    algorithm = default.get("SSEAlgorithm")
    hint = (f"PutBucketEncryption with SSEAlgorithm aws:kms and KMSMasterKeyID {alias} (or that key's ARN), "
            "BucketKeyEnabled true.")
    if algorithm is None:
        return failed(f"Bucket {bucket} has no default encryption rule; expected SSE-KMS (aws:kms) with {alias}.",
                      hint=hint)
    if algorithm == "AES256":
        return failed(f"Bucket {bucket} still encrypts by default with SSE-S3 (AES256); expected SSE-KMS "
                      f"(aws:kms) with {alias}.", hint=hint)
    if algorithm != "aws:kms":
        return failed(f"Bucket {bucket} encrypts by default with {algorithm}; expected aws:kms with {alias}.",
                      hint=hint)
    problem = key_problem(aws, default.get("KMSMasterKeyID"), f"Bucket {bucket}'s default encryption")
    if problem:
        return failed(problem + ".", hint=f"Name {alias} or its key's ARN in KMSMasterKeyID, not "
                      f"{aws.names.other_alias} or aws/s3.")
    return passed(f"Bucket {bucket} encrypts new objects by default with SSE-KMS under {alias}.")


def bucket_key_enabled(aws):
    bucket = aws.names.bucket
    rule = default_rule(aws) if bucket_exists(aws) else None
    if rule is None:
        return failed(f"Bucket {bucket} has no default encryption rule, so no S3 Bucket Key either.")
    if not rule.get("BucketKeyEnabled"):
        return failed(f"Bucket {bucket}'s default encryption rule has BucketKeyEnabled false; expected true, so "
                      "that S3 asks KMS for a bucket-level key instead of calling KMS for every object.",
                      hint="Send BucketKeyEnabled true in the same rule as the SSE-KMS default.")
    return passed(f"Bucket {bucket}'s default encryption rule has the S3 Bucket Key enabled.")


# --- step 3: the reports written before the fix ---------------------------

def last_write(aws, key: str):
    """The learner's last successful call that wrote `key` (None when there was none)."""
    writes = [c for c in aws.journal.calls(service="s3", succeeded=True)
              if c.operation in WRITE_OPERATIONS and c.params.get("Key") == key]
    return writes[-1] if writes else None


def report_problem(aws, key: str, body: bytes) -> str | None:
    """Why one old report is not re-encrypted under the lab's key with its content intact (None when it is)."""
    bucket, alias = aws.names.bucket, aws.names.key_alias
    where = f"s3://{bucket}/{key}"
    head = fetch(aws.s3.head_object, Bucket=bucket, Key=key)
    if head is None:
        return f"{where} is gone; re-encrypt it in place (copy it onto itself), do not delete it"
    sse = head.get("ServerSideEncryption")
    if sse != "aws:kms":
        return f"{where} is still encrypted with {sse or 'nothing reported'}, not aws:kms under {alias}"
    problem = key_problem(aws, head.get("SSEKMSKeyId"), where)
    if problem:
        return problem
    write = last_write(aws, key) if aws.journal.available else None
    if write is not None and write.params.get("ServerSideEncryption") == "aws:kms" and not write.params.get(
            "SSEKMSKeyId"):
        return (f"{where} was last written by {write.operation} with SSE aws:kms but no key id, which on AWS "
                "means the AWS managed key aws/s3, whatever the bucket default says")
    content = aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    if hashlib.sha256(content).digest() != hashlib.sha256(body).digest():
        return f"{where} is under {alias} but its content changed; copy the object onto itself to keep it"
    return None


def old_reports_re_encrypted(aws):
    bucket, alias = aws.names.bucket, aws.names.key_alias
    if not bucket_exists(aws):
        return failed(f"Bucket {bucket} does not exist any more, so neither do its reports.")
    keys = {aws.names.q3: REPORTS["q3"], aws.names.q4: REPORTS["q4"]}
    problems = [p for p in (report_problem(aws, key, body) for key, body in keys.items()) if p]
    if problems:
        more = f" ({len(problems)} of {len(keys)} reports are not done)" if len(problems) > 1 else ""
        return failed(f"{problems[0]}{more}.", hint="A default applies only to objects written after it: copy each "
                      "old report onto itself with ServerSideEncryption aws:kms and SSEKMSKeyId "
                      f"{alias} (CLI: aws s3 cp s3://... s3://... --sse aws:kms --sse-kms-key-id {alias}).")
    return passed(f"Both reports in {bucket} are encrypted under {alias}, with their content unchanged.")
