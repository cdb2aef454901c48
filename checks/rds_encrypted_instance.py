"""Checker for rds-encrypted-instance: a customer-managed key, encryption with it, private, backups, Multi-AZ."""

from labrunner.grading import failed, passed, steps
from labrunner.kms import describe_key, is_aws_managed
from labrunner.lookups import fetch

MIN_RETENTION_DAYS = 7


def check(aws):
    yield from steps(aws, key_behind_alias, encrypted_with_the_key, not_public, backups_kept, multi_az)




def instance(aws):
    found = fetch(aws.rds.describe_db_instances, DBInstanceIdentifier=aws.names.db)
    return found["DBInstances"][0] if found and found["DBInstances"] else None


def key_behind_alias(aws):
    alias = aws.names.key_alias
    key = describe_key(aws, alias)
    if key is None:
        return failed(f"No KMS key answers to {alias}; create a symmetric customer-managed key and give it "
                      f"the alias {alias}.")
    if key.get("KeyState") != "Enabled":
        return failed(f"KMS key {key['KeyId']} behind {alias} is {key.get('KeyState')}; expected Enabled.")
    return passed(f"Customer-managed KMS key {key['KeyId']} is enabled under {alias}.")


def encrypted_with_the_key(aws):
    db, alias = aws.names.db, aws.names.key_alias
    found = instance(aws)
    if found is None:
        return failed(f"DB instance {db} does not exist yet; create it encrypted with {alias}.")
    if not found.get("StorageEncrypted"):
        return failed(f"DB instance {db} is not encrypted; encryption can only be chosen at creation, so delete "
                      f"it and create it again with StorageEncrypted and KmsKeyId {alias}.")
    reference = found.get("KmsKeyId") or "alias/aws/rds"
    used, wanted = describe_key(aws, reference), describe_key(aws, alias)
    if used is None or is_aws_managed(aws, used):
        return failed(f"DB instance {db} is encrypted with the default AWS-managed key aws/rds (KmsKeyId "
                      f"{reference}); expected the customer-managed key {alias} (recreate it with KmsKeyId).")
    if wanted is None or used["KeyId"] != wanted["KeyId"]:
        return failed(f"DB instance {db} is encrypted with KMS key {reference}, which is not the key behind {alias}.")
    return passed(f"DB instance {db} is encrypted with the customer-managed key behind {alias}.")


def not_public(aws):
    db, found = aws.names.db, instance(aws)
    if found is None:
        return failed(f"DB instance {db} does not exist, so its network exposure cannot be checked.")
    public = found.get("PubliclyAccessible")
    if public is False:
        return passed(f"DB instance {db} is not publicly accessible.")
    state = "publicly accessible" if public else "created without saying whether it is public"
    return failed(f"DB instance {db} is {state}; expected PubliclyAccessible false.")


def backups_kept(aws):
    db, found = aws.names.db, instance(aws)
    if found is None:
        return failed(f"DB instance {db} does not exist, so it keeps no backups.")
    days = found.get("BackupRetentionPeriod", 0)
    if days < MIN_RETENTION_DAYS:
        what = "automated backups off" if days == 0 else f"automated backups for {days} day(s)"
        return failed(f"DB instance {db} keeps {what}; expected {MIN_RETENTION_DAYS} days or more.")
    return passed(f"DB instance {db} keeps automated backups for {days} days.")


def multi_az(aws):
    db, found = aws.names.db, instance(aws)
    if found is None:
        return failed(f"DB instance {db} does not exist, so it has no standby.")
    if not found.get("MultiAZ"):
        return failed(f"DB instance {db} runs in a single Availability Zone; expected Multi-AZ.")
    return passed(f"DB instance {db} is Multi-AZ, with a standby in another Availability Zone.")
