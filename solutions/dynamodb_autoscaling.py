"""Reference solution: a provisioned table whose reads and writes scale on utilisation."""

from botocore.exceptions import ClientError

DIMENSIONS = {
    "dynamodb:table:ReadCapacityUnits": "DynamoDBReadCapacityUtilization",
    "dynamodb:table:WriteCapacityUnits": "DynamoDBWriteCapacityUtilization",
}
TARGET_UTILISATION = 70.0  # headroom for bursts while scaling catches up (it takes minutes)


def solve(aws):
    table, key = aws.names.table, aws.names.key
    try:
        aws.dynamodb.create_table(TableName=table, BillingMode="PROVISIONED",
                                  ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                                  KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                                  AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
    scaling = aws.application_autoscaling
    for dimension, metric in DIMENSIONS.items():
        # Registering again only updates min/max, so a rerun is harmless.
        scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{table}",
                                         ScalableDimension=dimension, MinCapacity=5, MaxCapacity=100)
        scaling.put_scaling_policy(
            PolicyName=f"{table}-{metric}", ServiceNamespace="dynamodb", ResourceId=f"table/{table}",
            ScalableDimension=dimension, PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": TARGET_UTILISATION,
                "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
            })
