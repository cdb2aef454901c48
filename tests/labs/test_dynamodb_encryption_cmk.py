"""Near-misses and alternatives for dynamodb-encryption-cmk."""

import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.dynamodb_encryption_cmk import key_for_alias, solve


def create_table(aws, **extra):
    aws.dynamodb.create_table(TableName=aws.names.table, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": aws.names.key, "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": aws.names.key, "AttributeType": "S"}], **extra)


def aws_owned_default(aws):
    key_for_alias(aws.kms, aws.names.alias)
    create_table(aws)


def aws_managed_key(aws):
    key_for_alias(aws.kms, aws.names.alias)
    create_table(aws, SSESpecification={"Enabled": True, "SSEType": "KMS"})


def another_customer_key(aws):
    key_for_alias(aws.kms, aws.names.alias)
    other = aws.kms.create_key(Description="some other key")["KeyMetadata"]["KeyId"]
    create_table(aws, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": other})


def no_alias(aws):
    aws.kms.create_key(Description="orders, without an alias")
    create_table(aws)


def switched_back_to_aws_managed(aws):
    solve(aws)
    aws.dynamodb.update_table(TableName=aws.names.table, SSESpecification={"Enabled": True, "SSEType": "KMS"})


def key_disabled(aws):
    solve(aws)
    aws.kms.disable_key(KeyId=aws.kms.describe_key(KeyId=aws.names.alias)["KeyMetadata"]["KeyId"])


NEAR_MISSES = [
    NearMiss("no alias", step=1, expect="alias alias/orders-table does not exist", apply=no_alias),
    NearMiss("key disabled", step=1, expect="expected Enabled", apply=key_disabled),
    NearMiss("AWS owned default key", step=3, expect="uses the AWS owned key", apply=aws_owned_default),
    NearMiss("AWS managed aws/dynamodb", step=3, expect="uses the AWS managed key aws/dynamodb",
             apply=aws_managed_key),
    NearMiss("another customer key", step=3, expect="which is not the key behind alias/orders-table",
             apply=another_customer_key),
    NearMiss("updated back to aws/dynamodb", step=3, expect="uses the AWS managed key", apply=switched_back_to_aws_managed),
]


def update_after_creation(aws):
    """Created with the default key, then switched with UpdateTable: today's AWS allows it."""
    key_id = key_for_alias(aws.kms, aws.names.alias)
    create_table(aws)
    key_arn = aws.kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    aws.dynamodb.update_table(TableName=aws.names.table,
                              SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn})


def aws_cli(aws):
    """The learner's shell: key, alias and table with the key id (not the alias)."""
    env, cli = aws.learner_env(), [sys.executable, "-m", "awscli"]
    run = lambda *args: subprocess.run([*cli, *args], env=env, check=True, capture_output=True, text=True)  # noqa: E731
    key_id = run("kms", "create-key", "--query", "KeyMetadata.KeyId", "--output", "text").stdout.strip()
    run("kms", "create-alias", "--alias-name", aws.names.alias, "--target-key-id", key_id)
    run("dynamodb", "create-table", "--table-name", aws.names.table,
        "--key-schema", f"AttributeName={aws.names.key},KeyType=HASH",
        "--attribute-definitions", f"AttributeName={aws.names.key},AttributeType=S",
        "--billing-mode", "PAY_PER_REQUEST", "--sse-specification", f"Enabled=true,SSEType=KMS,KMSMasterKeyId={key_id}")


ALTERNATIVES = [
    Alternative("UpdateTable after creation with the key ARN", apply=update_after_creation),
    Alternative("AWS CLI with the key id", apply=aws_cli),
]

test_near_miss = near_miss_test("dynamodb-encryption-cmk", NEAR_MISSES)
test_alternative = alternative_test("dynamodb-encryption-cmk", ALTERNATIVES)
