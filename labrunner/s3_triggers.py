"""S3 event notifications that invoke a lab's Lambda function: shared by the recursion labs' checkers."""

from __future__ import annotations


def filter_value(trigger: dict, name: str) -> str:
    """A trigger's ``prefix`` or ``suffix`` filter value ('' when it has none)."""
    rules = (trigger.get("Filter") or {}).get("Key", {}).get("FilterRules", [])
    return next((r["Value"] for r in rules if r["Name"].lower() == name), "")


def function_triggers(aws, bucket: str) -> list[dict]:
    """The ObjectCreated notifications of an existing ``bucket`` that invoke this lab's function (any qualifier)."""
    base = f"arn:aws:lambda:{aws.region}:{aws.account_id}:function:{aws.names.function}"
    config = aws.s3.get_bucket_notification_configuration(Bucket=bucket)
    return [t for t in config.get("LambdaFunctionConfigurations", [])
            if (t["LambdaFunctionArn"] == base or t["LambdaFunctionArn"].startswith(base + ":"))
            and any(e.startswith("s3:ObjectCreated:") for e in t.get("Events", []))]
