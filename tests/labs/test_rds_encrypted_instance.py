"""Near-misses and alternatives for rds-encrypted-instance."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.rds_encrypted_instance import PASSWORD, key_arn

CLI = [sys.executable, "-m", "awscli"]
GOOD = dict(StorageEncrypted=True, PubliclyAccessible=False, BackupRetentionPeriod=7, MultiAZ=True)


def create(aws, **overrides):
    names = aws.names
    arn = key_arn(aws.kms, names.key_alias)
    settings = {**GOOD, "KmsKeyId": arn, **overrides}
    settings = {k: v for k, v in settings.items() if v is not None}  # None: leave the parameter out
    aws.rds.create_db_instance(DBInstanceIdentifier=names.db, Engine=names.engine,
                               DBInstanceClass=names.instance_class, AllocatedStorage=20,
                               MasterUsername=names.master_user, MasterUserPassword=PASSWORD, **settings)


def creating(**overrides):
    return lambda aws: create(aws, **overrides)


def another_customer_key(aws):
    other = aws.kms.create_key(Description="another key")["KeyMetadata"]["Arn"]
    create(aws, KmsKeyId=other)


NEAR_MISSES = [
    NearMiss("no key under the alias", step=1, expect="No KMS key answers to alias/lab-rds",
             apply=lambda aws: None),
    NearMiss("no instance", step=2, expect="does not exist yet", apply=lambda aws: key_arn(aws.kms, aws.names.key_alias)),
    NearMiss("unencrypted", step=2, expect="is not encrypted", apply=creating(StorageEncrypted=None, KmsKeyId=None)),
    NearMiss("default aws/rds key", step=2, expect="default AWS-managed key aws/rds", apply=creating(KmsKeyId=None)),
    NearMiss("alias/aws/rds named", step=2, expect="default AWS-managed key aws/rds",
             apply=creating(KmsKeyId="alias/aws/rds")),
    NearMiss("another customer-managed key", step=2, expect="not the key behind alias/lab-rds",
             apply=another_customer_key),
    NearMiss("public", step=3, expect="is publicly accessible", apply=creating(PubliclyAccessible=True)),
    NearMiss("public flag left to the default", step=3, expect="expected PubliclyAccessible false",
             apply=creating(PubliclyAccessible=None), needs=("rds_public_by_default",)),
    NearMiss("1-day backups", step=4, expect="for 1 day(s)", apply=creating(BackupRetentionPeriod=1)),
    NearMiss("backups off", step=4, expect="automated backups off", apply=creating(BackupRetentionPeriod=0)),
    NearMiss("single-AZ", step=5, expect="single Availability Zone", apply=creating(MultiAZ=None)),
]


def cli(aws, *args) -> dict:
    env = aws.learner_env()
    out = subprocess.run([*CLI, *args], env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else {}


def aws_cli_with_endpoint(aws):
    names = aws.names
    key_id = cli(aws, "kms", "create-key")["KeyMetadata"]["KeyId"]
    cli(aws, "kms", "create-alias", "--alias-name", names.key_alias, "--target-key-id", key_id)
    cli(aws, "rds", "create-db-instance", "--endpoint-url", aws.endpoint, "--db-instance-identifier", names.db,
        "--engine", names.engine, "--db-instance-class", names.instance_class, "--allocated-storage", "20",
        "--master-username", names.master_user, "--master-user-password", PASSWORD, "--storage-encrypted",
        "--kms-key-id", names.key_alias, "--no-publicly-accessible", "--backup-retention-period", "14",
        "--multi-az")


def fixed_by_modification(aws):
    """Encrypted at creation with the key id, everything else corrected afterwards."""
    names = aws.names
    key_id = aws.kms.create_key()["KeyMetadata"]["KeyId"]
    aws.kms.create_alias(AliasName=names.key_alias, TargetKeyId=key_id)
    aws.rds.create_db_instance(DBInstanceIdentifier=names.db, Engine="mysql", DBInstanceClass="db.t3.small",
                               AllocatedStorage=20, MasterUsername=names.master_user,
                               MasterUserPassword=PASSWORD, StorageEncrypted=True, KmsKeyId=key_id,
                               PubliclyAccessible=True)
    aws.rds.modify_db_instance(DBInstanceIdentifier=names.db, PubliclyAccessible=False, BackupRetentionPeriod=35,
                               MultiAZ=True, ApplyImmediately=True)


ALTERNATIVES = [
    Alternative("AWS CLI with --endpoint-url and the alias", apply=aws_cli_with_endpoint),
    Alternative("key id at creation, the rest by modification", apply=fixed_by_modification),
]

test_near_miss = near_miss_test("rds-encrypted-instance", NEAR_MISSES)
test_alternative = alternative_test("rds-encrypted-instance", ALTERNATIVES)
