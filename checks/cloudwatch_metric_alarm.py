"""Checker for cloudwatch-metric-alarm: metric, topic, alarm configuration, log group, metric filter."""

import shlex

from labrunner.grading import failed, not_verifiable, passed, steps
from labrunner.lookups import fetch

RETENTION_DAYS = 14
ERROR_LINE = "2026-12-02T10:00:00Z ERROR checkout failed for order 1042"
INFO_LINE = "2026-12-02T10:00:01Z INFO checkout completed for order 1043"
# (comparison, threshold) pairs meaning "5 or more" for a count.
FIVE_OR_MORE = {("GreaterThanOrEqualToThreshold", 5.0), ("GreaterThanThreshold", 4.0)}


def check(aws):
    yield from steps(aws, metric_published, topic_exists, alarm_configured, log_group_retention, metric_filter)


def wanted_dimensions(aws) -> list[dict]:
    return [{"Name": aws.names.dimension, "Value": aws.names.stage}]


def same_dimensions(found, wanted) -> bool:
    return sorted((d["Name"], d["Value"]) for d in found or []) == sorted((d["Name"], d["Value"]) for d in wanted)


def describe_dimensions(dimensions) -> str:
    return ", ".join(f"{d['Name']}={d['Value']}" for d in dimensions or []) or "no dimension"


def metric_published(aws):
    names = aws.names
    metrics = aws.cloudwatch.list_metrics(Namespace=names.namespace, MetricName=names.metric)["Metrics"]
    if any(same_dimensions(m.get("Dimensions"), wanted_dimensions(aws)) for m in metrics):
        return passed(f"Metric {names.namespace}/{names.metric} has data with {names.dimension}={names.stage}.")
    if not metrics:
        return failed(f"Metric {names.namespace}/{names.metric} has no data yet; publish a data point with "
                      f"put_metric_data and the dimension {names.dimension}={names.stage}.")
    found = "; ".join(describe_dimensions(m.get("Dimensions")) for m in metrics)
    return failed(f"Metric {names.namespace}/{names.metric} was published with {found}, not with the dimension "
                  f"{names.dimension}={names.stage}.", hint="The dimension is part of the metric's identity.")


def topic_arn(aws) -> str:
    return f"arn:aws:sns:{aws.region}:{aws.account_id}:{aws.names.topic}"


def topic_exists(aws):
    if fetch(aws.sns.get_topic_attributes, TopicArn=topic_arn(aws)) is None:
        return failed(f"SNS topic {aws.names.topic} does not exist yet; create it with create_topic.")
    return passed(f"SNS topic {aws.names.topic} exists.")


def watched_metric(alarm: dict) -> tuple[dict, str | None, int | None]:
    """The metric an alarm watches, its statistic and period, in either alarm form."""
    if alarm.get("MetricName"):
        metric = {"Namespace": alarm.get("Namespace"), "MetricName": alarm["MetricName"],
                  "Dimensions": alarm.get("Dimensions", [])}
        return metric, alarm.get("Statistic"), alarm.get("Period")
    stats = [m for m in alarm.get("Metrics", []) if "MetricStat" in m and m.get("ReturnData", True)]
    if len(stats) != 1:
        return {}, None, None
    stat = stats[0]["MetricStat"]
    return stat["Metric"], stat.get("Stat"), stat.get("Period")


def alarm_problems(aws, alarm: dict) -> list[str]:
    names = aws.names
    metric, statistic, period = watched_metric(alarm)
    problems = []
    if (metric.get("Namespace"), metric.get("MetricName")) != (names.namespace, names.metric):
        problems.append(f"it watches {metric.get('Namespace')}/{metric.get('MetricName')} instead of "
                        f"{names.namespace}/{names.metric}")
    elif not same_dimensions(metric.get("Dimensions"), wanted_dimensions(aws)):
        problems.append(f"it watches the metric with {describe_dimensions(metric.get('Dimensions', []))} instead "
                        f"of {names.dimension}={names.stage}, a metric nobody publishes to")
    if statistic != "Sum" or period != 60:
        problems.append(f"it uses statistic {statistic} over {period} s instead of Sum over 60 s")
    if (alarm.get("ComparisonOperator"), float(alarm.get("Threshold", -1))) not in FIVE_OR_MORE:
        problems.append(f"it fires on {alarm.get('ComparisonOperator')} {alarm.get('Threshold')} instead of "
                        "GreaterThanOrEqualToThreshold 5")
    if alarm.get("EvaluationPeriods") != 1:
        problems.append(f"it needs {alarm.get('EvaluationPeriods')} evaluation periods instead of 1")
    if topic_arn(aws) not in alarm.get("AlarmActions", []):
        actions = ", ".join(alarm.get("AlarmActions", [])) or "none"
        problems.append(f"its alarm actions are {actions} instead of the topic {names.topic}")
    elif not alarm.get("ActionsEnabled", True):
        problems.append("its actions are disabled")
    return problems


def alarm_configured(aws):
    name = aws.names.alarm
    alarms = aws.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    if not alarms:
        return failed(f"Alarm {name} does not exist yet; create it with put_metric_alarm.")
    if not alarms[0].get("MetricName") and not alarms[0].get("Metrics"):
        return not_verifiable(f"Alarm {name} came back without the metric it watches: {aws.backend.name} keeps "
                              "only the MetricName form of put_metric_alarm, not the Metrics (MetricStat) form; "
                              "use MetricName, Namespace, Dimensions, Statistic and Period to grade it here.")
    problems = alarm_problems(aws, alarms[0])
    if problems:
        return failed(f"Alarm {name} is not configured as asked: {'; '.join(problems)}.",
                      hint="Name the metric with its dimension and put the topic ARN in AlarmActions.")
    return passed(f"Alarm {name} fires on Sum of {aws.names.metric} ({aws.names.dimension}={aws.names.stage}) "
                  f">= 5 over 60 s and notifies {aws.names.topic}.")


def find_log_group(aws) -> dict | None:
    groups = aws.logs.describe_log_groups(logGroupNamePrefix=aws.names.log_group)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == aws.names.log_group), None)


def log_group_retention(aws):
    name = aws.names.log_group
    group = find_log_group(aws)
    if group is None:
        return failed(f"Log group {name} does not exist yet; create it with create_log_group.")
    days = group.get("retentionInDays")
    if days is None:
        return failed(f"Log group {name} keeps events forever (no retention policy); expected {RETENTION_DAYS} days.",
                      hint="Set it with put_retention_policy.")
    if int(days) != RETENTION_DAYS:
        return failed(f"Log group {name} keeps events for {days} days; expected {RETENTION_DAYS} days.")
    return passed(f"Log group {name} keeps events for {RETENTION_DAYS} days.")


def pattern_matches(pattern: str, line: str) -> bool:
    """CloudWatch Logs term patterns: terms ANDed, ?terms ORed, -terms excluded, case-sensitive."""
    pattern = pattern.strip()
    if pattern.startswith(("{", "[")):  # JSON and space-delimited patterns: look for the word only
        return "ERROR" in pattern and "ERROR" in line
    try:
        terms = shlex.split(pattern)
    except ValueError:
        return False
    required = [t for t in terms if not t.startswith(("?", "-"))]
    optional = [t[1:] for t in terms if t.startswith("?")]
    excluded = [t[1:] for t in terms if t.startswith("-")]
    return (all(t in line for t in required) and not any(t in line for t in excluded)
            and (not optional or any(t in line for t in optional)))


def filter_problems(aws, metric_filter: dict) -> list[str]:
    names = aws.names
    problems = []
    pattern = metric_filter.get("filterPattern", "")
    if not pattern_matches(pattern, ERROR_LINE):
        problems.append(f"its pattern {pattern!r} does not match the line {ERROR_LINE!r}")
    elif pattern_matches(pattern, INFO_LINE):
        problems.append(f"its pattern {pattern!r} also matches the line {INFO_LINE!r}, not only errors")
    transforms = metric_filter.get("metricTransformations", [])
    if not any(t.get("metricName") == names.filter_metric and t.get("metricNamespace") == names.namespace
               and str(t.get("metricValue")) == "1" for t in transforms):
        found = ", ".join(f"{t.get('metricNamespace')}/{t.get('metricName')} value {t.get('metricValue')}"
                          for t in transforms) or "nothing"
        problems.append(f"it publishes {found} instead of {names.namespace}/{names.filter_metric} value 1")
    return problems


def metric_filter(aws):
    names = aws.names
    if find_log_group(aws) is None:
        return failed(f"Log group {names.log_group} does not exist, so it has no metric filter {names.filter}.")
    filters = aws.logs.describe_metric_filters(logGroupName=names.log_group)["metricFilters"]
    # moto appends a second definition when a filter is put again (AWS replaces it): the last one counts.
    found = next((f for f in reversed(filters) if f["filterName"] == names.filter), None)
    if found is None:
        return failed(f"Log group {names.log_group} has no metric filter {names.filter}; create it with "
                      "put_metric_filter.")
    problems = filter_problems(aws, found)
    if problems:
        return failed(f"Metric filter {names.filter} on {names.log_group} is not right: {'; '.join(problems)}.")
    return passed(f"Metric filter {names.filter} on {names.log_group} counts ERROR lines into "
                  f"{names.namespace}/{names.filter_metric}.")
