"""Reference solution: a dimensioned custom metric, an alarm on it, a log group and a metric filter."""

RETENTION_DAYS = 14


def solve(aws):
    names = aws.names
    dimensions = [{"Name": names.dimension, "Value": names.stage}]

    # The dimension is part of the metric's identity: the alarm must name it too.
    aws.cloudwatch.put_metric_data(Namespace=names.namespace, MetricData=[
        {"MetricName": names.metric, "Dimensions": dimensions, "Value": 1, "Unit": "Count"},
    ])

    topic_arn = aws.sns.create_topic(Name=names.topic)["TopicArn"]  # create_topic is idempotent

    # Sum over one minute: "5 or more errors in a minute" is a count, not an average.
    aws.cloudwatch.put_metric_alarm(
        AlarmName=names.alarm, Namespace=names.namespace, MetricName=names.metric, Dimensions=dimensions,
        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=5,
        ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching",
        AlarmActions=[topic_arn], ActionsEnabled=True,
    )

    existing = aws.logs.describe_log_groups(logGroupNamePrefix=names.log_group)["logGroups"]
    if not any(group["logGroupName"] == names.log_group for group in existing):
        aws.logs.create_log_group(logGroupName=names.log_group)
    # Without a retention policy, log events are kept (and billed) forever.
    aws.logs.put_retention_policy(logGroupName=names.log_group, retentionInDays=RETENTION_DAYS)

    # Each matching line adds 1; defaultValue 0 keeps the metric continuous when nothing matches.
    aws.logs.put_metric_filter(logGroupName=names.log_group, filterName=names.filter, filterPattern="ERROR",
                               metricTransformations=[{"metricName": names.filter_metric,
                                                       "metricNamespace": names.namespace,
                                                       "metricValue": "1", "defaultValue": 0}])
