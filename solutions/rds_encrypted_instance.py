"""Reference solution: encrypted with our own key at creation, private, 7-day backups, Multi-AZ."""

from botocore.exceptions import ClientError

PASSWORD = "Lab-only-password-42"  # a sandbox; real passwords belong in Secrets Manager


def key_arn(kms, alias: str) -> str:
    """The key behind the alias, created once so that a second run reuses it."""
    try:
        return kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NotFoundException":
            raise
    key = kms.create_key(Description="Storage key for the rds-encrypted-instance lab")["KeyMetadata"]
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return key["Arn"]


def solve(aws):
    rds, names = aws.rds, aws.names
    arn = key_arn(aws.kms, names.key_alias)
    settings = dict(PubliclyAccessible=False, BackupRetentionPeriod=7, MultiAZ=True)
    try:
        # Encryption and its key are fixed at creation: they must be in this call.
        rds.create_db_instance(DBInstanceIdentifier=names.db, Engine=names.engine,
                               DBInstanceClass=names.instance_class, AllocatedStorage=20,
                               MasterUsername=names.master_user, MasterUserPassword=PASSWORD,
                               StorageEncrypted=True, KmsKeyId=arn, **settings)
    except rds.exceptions.DBInstanceAlreadyExistsFault:
        # The rest can be corrected in place on a second run.
        rds.modify_db_instance(DBInstanceIdentifier=names.db, ApplyImmediately=True, **settings)
