"""Near-misses and alternatives for cloudwatch-metric-alarm."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.cloudwatch_metric_alarm import solve


def topic(aws) -> str:
    return aws.sns.create_topic(Name=aws.names.topic)["TopicArn"]


def alarm(aws, **changes):
    names = aws.names
    params = dict(AlarmName=names.alarm, Namespace=names.namespace, MetricName=names.metric,
                  Dimensions=[{"Name": names.dimension, "Value": names.stage}], Statistic="Sum", Period=60,
                  EvaluationPeriods=1, Threshold=5, ComparisonOperator="GreaterThanOrEqualToThreshold",
                  AlarmActions=[topic(aws)])
    params.update(changes)
    aws.cloudwatch.put_metric_alarm(**{k: v for k, v in params.items() if v is not None})


def then(**alarm_changes):
    def apply(aws):
        solve(aws)
        alarm(aws, **alarm_changes)
    return apply


def only_undimensioned_metric(aws):
    names = aws.names
    aws.cloudwatch.put_metric_data(Namespace=names.namespace, MetricData=[{"MetricName": names.metric, "Value": 1}])


def topic_deleted(aws):
    solve(aws)
    aws.sns.delete_topic(TopicArn=topic(aws))


def no_retention(aws):
    solve(aws)
    aws.logs.delete_retention_policy(logGroupName=aws.names.log_group)


def retention_30_days(aws):
    solve(aws)
    aws.logs.put_retention_policy(logGroupName=aws.names.log_group, retentionInDays=30)


def put_filter(aws, pattern="ERROR", namespace=None):
    names = aws.names
    aws.logs.put_metric_filter(logGroupName=names.log_group, filterName=names.filter, filterPattern=pattern,
                               metricTransformations=[{"metricName": names.filter_metric,
                                                       "metricNamespace": namespace or names.namespace,
                                                       "metricValue": "1"}])


def filter_matches_everything(aws):
    solve(aws)
    put_filter(aws, pattern="")


def filter_wrong_namespace(aws):
    solve(aws)
    put_filter(aws, namespace="LogMetrics")


def filter_missing(aws):
    solve(aws)
    aws.logs.delete_metric_filter(logGroupName=aws.names.log_group, filterName=aws.names.filter)


NEAR_MISSES = [
    NearMiss("metric without the dimension", step=1, expect="not with the dimension", apply=only_undimensioned_metric),
    NearMiss("topic missing", step=2, expect="does not exist yet", apply=topic_deleted),
    NearMiss("alarm without the dimension", step=3, expect="a metric nobody publishes to",
             apply=then(Dimensions=[])),
    NearMiss("alarm without actions", step=3, expect="alarm actions are none", apply=then(AlarmActions=[])),
    NearMiss("alarm on the average", step=3, expect="statistic Average", apply=then(Statistic="Average")),
    NearMiss("alarm above 5, not at 5", step=3, expect="GreaterThanThreshold 5",
             apply=then(ComparisonOperator="GreaterThanThreshold")),
    NearMiss("alarm actions disabled", step=3, expect="actions are disabled", apply=then(ActionsEnabled=False)),
    NearMiss("logs kept forever", step=4, expect="forever", apply=no_retention),
    NearMiss("retention 30 days", step=4, expect="30 days", apply=retention_30_days),
    NearMiss("filter matches every line", step=5, expect="also matches", apply=filter_matches_everything),
    NearMiss("filter publishes elsewhere", step=5, expect="instead of LabShop/CheckoutErrorLines",
             apply=filter_wrong_namespace),
    NearMiss("no metric filter", step=5, expect="has no metric filter", apply=filter_missing),
]


def cli(aws, *args):
    subprocess.run([sys.executable, "-m", "awscli", *args], env=aws.learner_env(), check=True, capture_output=True)


def aws_cli(aws):
    """The learner's shell, every step with the AWS CLI."""
    names = aws.names
    dimension = f"{names.dimension}={names.stage}"
    cli(aws, "cloudwatch", "put-metric-data", "--namespace", names.namespace, "--metric-name", names.metric,
        "--dimensions", dimension, "--value", "2", "--unit", "Count")
    arn = json.loads(subprocess.run([sys.executable, "-m", "awscli", "sns", "create-topic", "--name", names.topic],
                                    env=aws.learner_env(), check=True, capture_output=True).stdout)["TopicArn"]
    cli(aws, "cloudwatch", "put-metric-alarm", "--alarm-name", names.alarm, "--namespace", names.namespace,
        "--metric-name", names.metric, "--dimensions", f"Name={names.dimension},Value={names.stage}",
        "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1", "--threshold", "5",
        "--comparison-operator", "GreaterThanOrEqualToThreshold", "--alarm-actions", arn)
    cli(aws, "logs", "create-log-group", "--log-group-name", names.log_group)
    cli(aws, "logs", "put-retention-policy", "--log-group-name", names.log_group, "--retention-in-days", "14")
    cli(aws, "logs", "put-metric-filter", "--log-group-name", names.log_group, "--filter-name", names.filter,
        "--filter-pattern", '"ERROR"', "--metric-transformations",
        f"metricName={names.filter_metric},metricNamespace={names.namespace},metricValue=1")


def metric_math_alarm(aws):
    """The alarm in its Metrics (MetricStat) form, "more than 4", statistics sets, a two-term pattern."""
    names = aws.names
    dimensions = [{"Name": names.dimension, "Value": names.stage}]
    aws.cloudwatch.put_metric_data(Namespace=names.namespace, MetricData=[{
        "MetricName": names.metric, "Dimensions": dimensions, "Unit": "Count",
        "StatisticValues": {"SampleCount": 3, "Sum": 3, "Minimum": 1, "Maximum": 1}}])
    aws.cloudwatch.put_metric_alarm(
        AlarmName=names.alarm, EvaluationPeriods=1, Threshold=4, ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic(aws)],
        Metrics=[{"Id": "errors", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": names.namespace, "MetricName": names.metric, "Dimensions": dimensions},
            "Period": 60, "Stat": "Sum"}}])
    aws.logs.create_log_group(logGroupName=names.log_group, tags={"team": "checkout"})
    aws.logs.put_retention_policy(logGroupName=names.log_group, retentionInDays=14)
    put_filter(aws, pattern="ERROR checkout")


ALTERNATIVES = [
    Alternative("AWS CLI", apply=aws_cli),
    Alternative("metric-math alarm form, > 4", apply=metric_math_alarm, needs=("alarm_metrics_form",)),
]

test_near_miss = near_miss_test("cloudwatch-metric-alarm", NEAR_MISSES)
test_alternative = alternative_test("cloudwatch-metric-alarm", ALTERNATIVES)
