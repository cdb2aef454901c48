"""Near-misses and alternatives for dynamodb-autoscaling."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.dynamodb_autoscaling import solve

READ, WRITE = "dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"


def on_demand(aws):
    aws.dynamodb.create_table(TableName=aws.names.table, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": aws.names.key, "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": aws.names.key, "AttributeType": "S"}])


def only_read_scaling(aws):
    solve(aws)
    aws.application_autoscaling.deregister_scalable_target(
        ServiceNamespace="dynamodb", ResourceId=f"table/{aws.names.table}", ScalableDimension=WRITE)


def step_scaling_for_writes(aws):
    solve(aws)
    scaling, resource = aws.application_autoscaling, f"table/{aws.names.table}"
    scaling.delete_scaling_policy(PolicyName=f"{aws.names.table}-DynamoDBWriteCapacityUtilization",
                                  ServiceNamespace="dynamodb", ResourceId=resource, ScalableDimension=WRITE)
    scaling.put_scaling_policy(PolicyName="writes-step", ServiceNamespace="dynamodb", ResourceId=resource,
                               ScalableDimension=WRITE, PolicyType="StepScaling",
                               StepScalingPolicyConfiguration={"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [
                                   {"MetricIntervalLowerBound": 0, "ScalingAdjustment": 5}]})


def targets_without_policies(aws):
    solve(aws)
    for dimension, metric in ((READ, "DynamoDBReadCapacityUtilization"), (WRITE, "DynamoDBWriteCapacityUtilization")):
        aws.application_autoscaling.delete_scaling_policy(
            PolicyName=f"{aws.names.table}-{metric}", ServiceNamespace="dynamodb",
            ResourceId=f"table/{aws.names.table}", ScalableDimension=dimension)


def read_metric_on_writes(aws):
    solve(aws)
    aws.application_autoscaling.put_scaling_policy(
        PolicyName=f"{aws.names.table}-DynamoDBWriteCapacityUtilization", ServiceNamespace="dynamodb",
        ResourceId=f"table/{aws.names.table}", ScalableDimension=WRITE, PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={"TargetValue": 70.0, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})


NEAR_MISSES = [
    NearMiss("PAY_PER_REQUEST table", step=1, expect="billed PAY_PER_REQUEST", apply=on_demand),
    NearMiss("only read scaling", step=2, expect="missing dynamodb:table:WriteCapacityUnits", apply=only_read_scaling),
    NearMiss("step scaling for writes", step=3, expect="WriteCapacityUnits has StepScaling, not a TargetTrackingScaling",
             apply=step_scaling_for_writes),
    NearMiss("targets without policies", step=3, expect="no policy", apply=targets_without_policies),
    NearMiss("read metric on writes", step=3, expect="tracks DynamoDBReadCapacityUtilization, not "
             "DynamoDBWriteCapacityUtilization", apply=read_metric_on_writes),
]


def aws_cli(aws):
    """The learner's shell, with target values of 50 and min/max of 1-20."""
    env, cli = aws.learner_env(), [sys.executable, "-m", "awscli"]
    run = lambda *args: subprocess.run([*cli, *args], env=env, check=True, capture_output=True)  # noqa: E731
    table, resource = aws.names.table, f"table/{aws.names.table}"
    run("dynamodb", "create-table", "--table-name", table,
        "--key-schema", f"AttributeName={aws.names.key},KeyType=HASH",
        "--attribute-definitions", f"AttributeName={aws.names.key},AttributeType=S",
        "--provisioned-throughput", "ReadCapacityUnits=2,WriteCapacityUnits=2")
    for dimension, metric in ((READ, "DynamoDBReadCapacityUtilization"), (WRITE, "DynamoDBWriteCapacityUtilization")):
        run("application-autoscaling", "register-scalable-target", "--service-namespace", "dynamodb",
            "--resource-id", resource, "--scalable-dimension", dimension, "--min-capacity", "1", "--max-capacity", "20")
        config = {"TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                  "ScaleInCooldown": 60, "ScaleOutCooldown": 60}
        run("application-autoscaling", "put-scaling-policy", "--service-namespace", "dynamodb",
            "--resource-id", resource, "--scalable-dimension", dimension, "--policy-name", f"{metric}-policy",
            "--policy-type", "TargetTrackingScaling",
            "--target-tracking-scaling-policy-configuration", json.dumps(config))


def switched_from_on_demand(aws):
    """Created on demand, then switched to provisioned before registering targets."""
    on_demand(aws)
    aws.dynamodb.update_table(TableName=aws.names.table, BillingMode="PROVISIONED",
                              ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    solve(aws)


ALTERNATIVES = [
    Alternative("AWS CLI with cooldowns", apply=aws_cli),
    Alternative("switched from on-demand", apply=switched_from_on_demand),
]

test_near_miss = near_miss_test("dynamodb-autoscaling", NEAR_MISSES)
test_alternative = alternative_test("dynamodb-autoscaling", ALTERNATIVES)
