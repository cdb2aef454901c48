"""Checker for dynamodb-autoscaling: provisioned table, two scalable targets, two target tracking policies."""

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

DIMENSIONS = {
    "dynamodb:table:ReadCapacityUnits": "DynamoDBReadCapacityUtilization",
    "dynamodb:table:WriteCapacityUnits": "DynamoDBWriteCapacityUtilization",
}
TARGET_RANGE = (20.0, 90.0)


def check(aws):
    yield from steps(aws, table_is_provisioned, both_targets_registered, target_tracking_policies)


def describe(aws):
    found = fetch(aws.dynamodb.describe_table, TableName=aws.names.table)
    return found["Table"] if found else None


def billing_mode(description) -> str:
    return (description.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")


def table_is_provisioned(aws):
    table = aws.names.table
    description = describe(aws)
    if description is None:
        return failed(f"Table {table} does not exist; create it with billing mode PROVISIONED.")
    if billing_mode(description) != "PROVISIONED":
        return failed(f"Table {table} is billed {billing_mode(description)}; auto scaling needs PROVISIONED capacity.",
                      hint="An on-demand table scales by itself and has no capacity to register.")
    throughput = description["ProvisionedThroughput"]
    return passed(f"Table {table} is provisioned with {throughput['ReadCapacityUnits']} read and "
                  f"{throughput['WriteCapacityUnits']} write capacity units.")


def targets(aws) -> dict:
    found = aws.application_autoscaling.describe_scalable_targets(
        ServiceNamespace="dynamodb", ResourceIds=[f"table/{aws.names.table}"])["ScalableTargets"]
    return {t["ScalableDimension"]: t for t in found}


def both_targets_registered(aws):
    table, registered = aws.names.table, targets(aws)
    missing = [d for d in DIMENSIONS if d not in registered]
    if missing:
        return failed(f"Table {table} has {len(registered)} scalable target(s); missing "
                      f"{' and '.join(missing)} (expected both reads and writes).")
    for dimension, target in registered.items():
        if not 1 <= target["MinCapacity"] < target["MaxCapacity"]:
            return failed(f"Scalable target {dimension} of table {table} has min {target['MinCapacity']} and max "
                          f"{target['MaxCapacity']}; expected a minimum of at least 1 below the maximum.")
    ranges = ", ".join(f"{d.rsplit(':', 1)[1]} {registered[d]['MinCapacity']}-{registered[d]['MaxCapacity']}"
                       for d in DIMENSIONS)
    return passed(f"Table {table} has read and write scalable targets ({ranges}).")


def policy_problem(dimension, metric, policies) -> str | None:
    mine = [p for p in policies if p["ScalableDimension"] == dimension]
    short = dimension.rsplit(":", 1)[1]
    tracking = [p for p in mine if p["PolicyType"] == "TargetTrackingScaling"]
    if not tracking:
        kinds = ", ".join(sorted({p["PolicyType"] for p in mine})) or "no policy"
        return f"{short} has {kinds}, not a TargetTrackingScaling policy"
    config = tracking[0]["TargetTrackingScalingPolicyConfiguration"]
    used = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    if used != metric:
        return f"{short}'s target tracking policy tracks {used or 'a custom metric'}, not {metric}"
    if not TARGET_RANGE[0] <= config["TargetValue"] <= TARGET_RANGE[1]:
        return f"{short}'s target value is {config['TargetValue']}, outside 20-90"
    return None


def target_tracking_policies(aws):
    table = aws.names.table
    policies = aws.application_autoscaling.describe_scaling_policies(
        ServiceNamespace="dynamodb", ResourceId=f"table/{table}")["ScalingPolicies"]
    problems = [p for p in (policy_problem(d, m, policies) for d, m in DIMENSIONS.items()) if p]
    if problems:
        return failed(f"Table {table} auto scaling is incomplete: {'; '.join(problems)}.",
                      hint="PutScalingPolicy with PolicyType TargetTrackingScaling and a predefined metric.")
    return passed(f"Table {table} has target tracking policies on DynamoDBReadCapacityUtilization and "
                  "DynamoDBWriteCapacityUtilization.")
