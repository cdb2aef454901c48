"""Near-misses and alternatives for dynamodb-global-table."""

import subprocess
import sys

from botocore.exceptions import ClientError

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.dynamodb_global_table import create_table, solve


def on_demand_table(aws):
    create_table(aws.dynamodb, aws.names.table, aws.names.key)


def add_replica(aws, region):
    aws.dynamodb.update_table(TableName=aws.names.table, ReplicaUpdates=[{"Create": {"RegionName": region}}])


def replica_in_same_region(aws):
    on_demand_table(aws)
    try:  # DynamoDB (and ministack) refuse it; moto accepts the request
        add_replica(aws, aws.region)
    except ClientError:
        pass


def replica_never_requested(aws):
    on_demand_table(aws)


def hand_made_table_in_second_region(aws):
    on_demand_table(aws)
    create_table(aws.client("dynamodb", aws.names.replica_region), aws.names.table, aws.names.key)


def replica_in_another_region(aws):
    on_demand_table(aws)
    add_replica(aws, "eu-west-1")


def replica_then_deleted(aws):
    solve(aws)
    aws.dynamodb.update_table(TableName=aws.names.table,
                              ReplicaUpdates=[{"Delete": {"RegionName": aws.names.replica_region}}])


def table_recreated_after_replica(aws):
    solve(aws)
    aws.dynamodb.delete_table(TableName=aws.names.table)
    on_demand_table(aws)


def legacy_create_global_table(aws):
    on_demand_table(aws)
    try:  # moto answers the legacy call with a 500
        aws.dynamodb.create_global_table(GlobalTableName=aws.names.table, ReplicationGroup=[
            {"RegionName": aws.region}, {"RegionName": aws.names.replica_region}])
    except ClientError:
        pass


def provisioned_without_autoscaling(aws):
    aws.dynamodb.create_table(TableName=aws.names.table, BillingMode="PROVISIONED",
                              ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                              KeySchema=[{"AttributeName": aws.names.key, "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": aws.names.key, "AttributeType": "S"}])
    add_replica(aws, aws.names.replica_region)


def wrong_partition_key(aws):
    create_table(aws.dynamodb, aws.names.table, "id")


NEAR_MISSES = [
    NearMiss("replica in the table's own region", step=2, expect="its own region", apply=replica_in_same_region,
             needs=("journal",)),
    NearMiss("replica never requested", step=2, expect="has no replica in us-west-2",
             apply=replica_never_requested),
    NearMiss("separate table made by hand in us-west-2", step=2, expect="separate table",
             apply=hand_made_table_in_second_region),
    NearMiss("replica in the wrong region", step=2, expect="eu-west-1, not in us-west-2",
             apply=replica_in_another_region),
    NearMiss("replica added then deleted", step=2, expect="ReplicaUpdates Delete", apply=replica_then_deleted,
             needs=("journal",)),
    NearMiss("replica added then deleted, end state", step=2, expect="has no replica in us-west-2",
             apply=replica_then_deleted, needs=("global_tables",)),
    NearMiss("table re-created after the replica", step=2, expect="deleted and created again",
             apply=table_recreated_after_replica, needs=("journal",)),
    NearMiss("legacy CreateGlobalTable", step=2, expect="legacy 2017.11.29", apply=legacy_create_global_table,
             needs=("journal",)),
    NearMiss("provisioned table without auto scaling", step=1,
             expect="a global table replica needs PAY_PER_REQUEST or auto-scaled writes",
             apply=provisioned_without_autoscaling),
    NearMiss("wrong partition key", step=1, expect="partition key id", apply=wrong_partition_key),
]


def aws_cli(aws):
    """The learner's shell: create-table then update-table --replica-updates."""
    env, cli = aws.learner_env(), [sys.executable, "-m", "awscli", "dynamodb"]
    table, key = aws.names.table, aws.names.key
    subprocess.run([*cli, "create-table", "--table-name", table, "--billing-mode", "PAY_PER_REQUEST",
                    "--key-schema", f"AttributeName={key},KeyType=HASH",
                    "--attribute-definitions", f"AttributeName={key},AttributeType=S"],
                   env=env, check=True, capture_output=True)
    subprocess.run([*cli, "update-table", "--table-name", table, "--replica-updates",
                    f'[{{"Create": {{"RegionName": "{aws.names.replica_region}"}}}}]'],
                   env=env, check=True, capture_output=True)


def provisioned_with_write_autoscaling(aws):
    """Provisioned capacity is fine once writes scale; the request names the table by ARN."""
    arn = aws.dynamodb.create_table(
        TableName=aws.names.table, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        KeySchema=[{"AttributeName": aws.names.key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": aws.names.key, "AttributeType": "S"}])["TableDescription"]["TableArn"]
    aws.application_autoscaling.register_scalable_target(
        ServiceNamespace="dynamodb", ResourceId=f"table/{aws.names.table}",
        ScalableDimension="dynamodb:table:WriteCapacityUnits", MinCapacity=5, MaxCapacity=100)
    aws.dynamodb.update_table(TableName=arn, ReplicaUpdates=[{"Create": {"RegionName": aws.names.replica_region}}])


def resource_api_with_a_second_replica(aws):
    """Table resource, and two replicas in one request."""
    table = aws.resource("dynamodb").create_table(
        TableName=aws.names.table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": aws.names.key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": aws.names.key, "AttributeType": "S"}])
    table.wait_until_exists()
    table.update(ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}},
                                 {"Create": {"RegionName": aws.names.replica_region}}])


ALTERNATIVES = [
    Alternative("AWS CLI update-table --replica-updates", apply=aws_cli),
    Alternative("provisioned with write auto scaling, table named by ARN", apply=provisioned_with_write_autoscaling,
                needs=("application-autoscaling",)),
    Alternative("resource API, two replicas at once", apply=resource_api_with_a_second_replica),
]

test_near_miss = near_miss_test("dynamodb-global-table", NEAR_MISSES)
test_alternative = alternative_test("dynamodb-global-table", ALTERNATIVES)
