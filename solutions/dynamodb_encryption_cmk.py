"""Reference solution: a customer managed key, and a table encrypted with it."""

from botocore.exceptions import ClientError


def key_for_alias(kms, alias):
    """The key behind `alias`, created on the first run only (keys cost money each)."""
    try:
        return kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NotFoundException":
            raise
    key_id = kms.create_key(Description="Encrypts the orders table", KeyUsage="ENCRYPT_DECRYPT",
                            KeySpec="SYMMETRIC_DEFAULT")["KeyMetadata"]["KeyId"]
    # The alias is what people and policies name; the key id never changes.
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return key_id


def solve(aws):
    dynamodb, table, key = aws.dynamodb, aws.names.table, aws.names.key
    key_for_alias(aws.kms, aws.names.alias)
    try:
        dynamodb.create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
            # Naming the key is what makes it customer managed; Enabled alone
            # picks the AWS managed aws/dynamodb key.
            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": aws.names.alias})
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=table)
