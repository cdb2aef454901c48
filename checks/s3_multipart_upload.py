"""Checker for s3-multipart-upload: bucket, a multipart object, no leftovers, a rule."""

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

MIN_SIZE = 15 * 1024 * 1024
MIN_PARTS = 3


def check(aws):
    yield from steps(aws, bucket_exists, object_in_parts, no_incomplete_uploads, lifecycle_aborts_uploads)


def bucket_exists(aws):
    bucket = aws.names.bucket
    if fetch(aws.s3.head_bucket, Bucket=bucket) is None:
        return failed(f"Bucket {bucket} does not exist yet; create it in us-east-1.")
    return passed(f"Bucket {bucket} exists.")


def part_count(etag: str) -> int:
    """A multipart object's ETag is `<md5 of the part md5s>-<number of parts>`."""
    etag = etag.strip('"')
    return int(etag.rsplit("-", 1)[1]) if "-" in etag else 1


def object_in_parts(aws):
    bucket, key = aws.names.bucket, aws.names.key
    head = fetch(aws.s3.head_object, Bucket=bucket, Key=key) if fetch(aws.s3.head_bucket, Bucket=bucket) else None
    if head is None:
        return failed(f"Object s3://{bucket}/{key} does not exist; upload it in {MIN_PARTS} or more parts.")
    size, parts = head["ContentLength"], part_count(head["ETag"])
    mib = size / 1024 / 1024
    if size < MIN_SIZE:
        return failed(f"Object s3://{bucket}/{key} is {mib:.1f} MiB; the lab expects at least 15 MiB.")
    if parts == 1:
        puts = [c for c in aws.journal.calls("PutObject") if c.params.get("Key") == key and c.succeeded]
        how = "with one PutObject call" if puts else "in a single request"
        return failed(f"Object s3://{bucket}/{key} was uploaded {how}, not in parts: expected a multipart "
                      f"upload of {MIN_PARTS}+ parts (ETag ending in -{MIN_PARTS} or more), found ETag "
                      f"{head['ETag']}.", hint="Start with CreateMultipartUpload, send each 5 MiB chunk with "
                      "UploadPart, then CompleteMultipartUpload.")
    if parts < MIN_PARTS:
        return failed(f"Object s3://{bucket}/{key} was uploaded in {parts} parts; the lab expects {MIN_PARTS} "
                      f"or more (ETag {head['ETag']}).", hint="Tools that split for you use 8 MiB parts: "
                      "use 5 MiB parts or a file of at least 17 MiB.")
    return passed(f"Object s3://{bucket}/{key} is {mib:.1f} MiB and was uploaded in {parts} parts.")


def no_incomplete_uploads(aws):
    bucket = aws.names.bucket
    if fetch(aws.s3.head_bucket, Bucket=bucket) is None:  # moto 5.2 answers 500 here for a missing bucket
        return failed(f"Bucket {bucket} does not exist, so its uploads cannot be checked.")
    uploads = aws.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    if uploads:
        keys = ", ".join(sorted({u["Key"] for u in uploads}))
        return failed(f"Bucket {bucket} has {len(uploads)} incomplete multipart upload(s) (keys: {keys}); "
                      "expected none: abort them with AbortMultipartUpload.")
    return passed(f"Bucket {bucket} has no incomplete multipart uploads.")


def covers_whole_bucket(rule: dict) -> bool:
    if "Filter" in rule:
        flt = rule["Filter"] or {}
        return not flt or flt.get("Prefix", None) == ""
    return rule.get("Prefix", "") == ""


def lifecycle_aborts_uploads(aws):
    bucket = aws.names.bucket
    if fetch(aws.s3.head_bucket, Bucket=bucket) is None:
        return failed(f"Bucket {bucket} does not exist, so it has no lifecycle rule.")
    config = fetch(aws.s3.get_bucket_lifecycle_configuration, Bucket=bucket)
    rules = (config or {}).get("Rules", [])
    aborting = [r for r in rules if "AbortIncompleteMultipartUpload" in r]
    good = [r for r in aborting if r.get("Status") == "Enabled" and covers_whole_bucket(r)
            and r["AbortIncompleteMultipartUpload"].get("DaysAfterInitiation", 999) <= 7]
    if good:
        days = good[0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        return passed(f"Bucket {bucket} has lifecycle rule {good[0].get('ID', '(no id)')} aborting incomplete "
                      f"uploads after {days} day(s).")
    if not rules:
        return failed(f"Bucket {bucket} has no lifecycle configuration; expected a rule with "
                      "AbortIncompleteMultipartUpload.")
    if not aborting:
        return failed(f"Bucket {bucket} has lifecycle rules, but none with AbortIncompleteMultipartUpload.")
    rule = aborting[0]
    return failed(f"Bucket {bucket} rule {rule.get('ID', '(no id)')} must be Enabled, cover the whole bucket "
                  f"and abort within 7 days; found status {rule.get('Status')}, filter "
                  f"{rule.get('Filter', rule.get('Prefix'))!r}, "
                  f"{rule['AbortIncompleteMultipartUpload'].get('DaysAfterInitiation')} day(s).")
