"""Reference solution: an on-demand table, then a replica in a second region (global tables 2019.11.21)."""

from botocore.exceptions import ClientError


def create_table(dynamodb, table, key):
    """On-demand billing: a replica of a provisioned table would need auto scaling on its writes first."""
    try:
        dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":  # already there: keep it
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=table)


def replica_regions(dynamodb, table):
    return {r["RegionName"] for r in dynamodb.describe_table(TableName=table)["Table"].get("Replicas", [])}


def solve(aws):
    dynamodb, table, region = aws.dynamodb, aws.names.table, aws.names.replica_region
    create_table(dynamodb, table, aws.names.key)
    # Adding a replica is an UpdateTable on the existing table, made in the table's own region. No
    # StreamSpecification: DynamoDB turns on a NEW_AND_OLD_IMAGES stream itself to feed the replica.
    if region not in replica_regions(dynamodb, table):  # asking twice for the same replica is an error on AWS
        dynamodb.update_table(TableName=table, ReplicaUpdates=[{"Create": {"RegionName": region}}])
