"""Checker for lambda-avoid-recursion: bucket, function, filtered trigger, output outside it, a test run."""

import json
import uuid

from labrunner.grading import failed, not_verifiable, passed, steps
from labrunner.lambda_runner import CodeUnavailable, invoke
from labrunner.lookups import fetch
from labrunner.s3_triggers import filter_value, function_triggers

STEP_NEEDS = {4: ("lambda_code",), 5: ("lambda_recursion_config",)}


def check(aws):
    yield from steps(aws, bucket_and_function, filtered_trigger, output_outside_trigger, code_writes_output,
                     loop_detection_on)


def function_config(aws) -> dict | None:
    return fetch(aws.client("lambda").get_function_configuration, FunctionName=aws.names.function)


def bucket_exists(aws, bucket) -> bool:
    return fetch(aws.s3.head_bucket, Bucket=bucket) is not None


def bucket_and_function(aws):
    names = aws.names
    if not bucket_exists(aws, names.bucket):
        return failed(f"Bucket {names.bucket} does not exist yet; create it.")
    config = function_config(aws)
    if config is None:
        return failed(f"Lambda function {names.function} does not exist yet; create it with create_function.")
    if not str(config.get("Runtime", "")).startswith("python"):
        return failed(f"Lambda function {names.function} uses {config.get('Runtime')}; expected a python3.x runtime.")
    return passed(f"Bucket {names.bucket} and function {names.function} ({config['Runtime']}) exist.")


def triggers_of_function(aws, bucket: str) -> list[dict]:
    return function_triggers(aws, bucket) if bucket_exists(aws, bucket) else []


def s3_may_invoke(aws) -> bool:
    response = fetch(aws.client("lambda").get_policy, FunctionName=aws.names.function)
    statements = json.loads(response["Policy"]).get("Statement", []) if response else []
    for statement in statements:
        principal = statement.get("Principal", {})
        service = principal.get("Service") if isinstance(principal, dict) else principal
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") == "Allow" and service == "s3.amazonaws.com" and \
                any(a in ("lambda:InvokeFunction", "lambda:*") for a in actions):
            return True
    return False


def filtered_trigger(aws):
    names = aws.names
    if function_config(aws) is None or not bucket_exists(aws, names.bucket):
        return failed(f"The trigger cannot be checked until bucket {names.bucket} and function {names.function} "
                      "exist.")
    triggers = triggers_of_function(aws, names.bucket)
    if not triggers:
        return failed(f"Bucket {names.bucket} has no s3:ObjectCreated notification that invokes {names.function}.",
                      hint="put_bucket_notification_configuration with LambdaFunctionConfigurations.")
    prefixes = [filter_value(t, "prefix") for t in triggers]
    if names.prefix not in prefixes:
        found = ", ".join(repr(p) if p else "no prefix filter" for p in prefixes)
        return failed(f"The trigger of {names.function} on {names.bucket} filters on {found}; expected the prefix "
                      f"{names.prefix}.")
    if not s3_may_invoke(aws):
        return failed(f"Function {names.function} has no resource policy letting s3.amazonaws.com invoke it; add "
                      "it with add_permission.")
    return passed(f"New objects under {names.prefix} in {names.bucket} invoke {names.function}, and S3 may invoke it.")


def output_destination(aws) -> tuple[str | None, str]:
    config = function_config(aws) or {}
    variables = (config.get("Environment") or {}).get("Variables") or {}
    return variables.get("OUTPUT_BUCKET"), variables.get("OUTPUT_PREFIX", "")


def overlaps(trigger_prefix: str, output_prefix: str) -> bool:
    """Could a key written under ``output_prefix`` match a trigger filtering on ``trigger_prefix``?"""
    return output_prefix.startswith(trigger_prefix) or trigger_prefix.startswith(output_prefix)


def looping_triggers(aws, bucket: str, prefix: str) -> list[str]:
    return [filter_value(t, "prefix") for t in triggers_of_function(aws, bucket)
            if overlaps(filter_value(t, "prefix"), prefix)]


def output_outside_trigger(aws):
    names = aws.names
    if function_config(aws) is None:
        return failed(f"Function {names.function} does not exist, so it has no output configuration.")
    bucket, prefix = output_destination(aws)
    if not bucket:
        return failed(f"Function {names.function} has no environment variable OUTPUT_BUCKET; set it to "
                      f"{names.output_bucket} (or to {names.bucket} with an OUTPUT_PREFIX outside {names.prefix}).")
    if not bucket_exists(aws, bucket):
        return failed(f"OUTPUT_BUCKET of {names.function} is {bucket}, which does not exist.")
    loops = looping_triggers(aws, bucket, prefix)
    if loops:
        where = ", ".join(repr(p) if p else "the whole bucket" for p in loops)
        return failed(f"Function {names.function} writes to s3://{bucket}/{prefix}, which its own trigger on "
                      f"{where} watches: every output would trigger it again.",
                      hint="Write to another bucket or to a prefix outside the trigger's filter.")
    return passed(f"Function {names.function} writes to s3://{bucket}/{prefix}, which none of its triggers watch.")


def keys(aws, bucket: str) -> set[str]:
    found = set()
    for page in aws.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        found |= {o["Key"] for o in page.get("Contents", [])}
    return found


def s3_event(bucket: str, key: str, size: int) -> dict:
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "awsRegion": "us-east-1",
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "lab-check",
               "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": key, "size": size}}}]}


def run_on_probe(aws, output_bucket: str) -> tuple[str, dict[str, set]]:
    """Upload a test file under the trigger's prefix, run the handler on its event; new keys per bucket."""
    names = aws.names
    probe = f"{names.prefix}check-{uuid.uuid4().hex[:8]}.txt"
    watched = {names.bucket, output_bucket}
    before = {b: keys(aws, b) for b in watched}
    body = b"recursion check\n"
    aws.s3.put_object(Bucket=names.bucket, Key=probe, Body=body)
    qualifier = next((t["LambdaFunctionArn"].split(":")[7] for t in triggers_of_function(aws, names.bucket)
                      if len(t["LambdaFunctionArn"].split(":")) > 7), None)
    invoke(aws, names.function, s3_event(names.bucket, probe, len(body)), qualifier=qualifier)
    return probe, {b: keys(aws, b) - before[b] - {probe} for b in watched}


def code_writes_output(aws):
    names = aws.names
    bucket, prefix = output_destination(aws)
    if function_config(aws) is None or not bucket or not bucket_exists(aws, bucket) \
            or not bucket_exists(aws, names.bucket):
        return failed(f"The code of {names.function} cannot be run until the bucket, the function and its "
                      "OUTPUT_BUCKET exist.")
    try:
        probe, written = run_on_probe(aws, bucket)
    except CodeUnavailable as exc:
        return not_verifiable(f"Running {names.function} is not verifiable on {aws.backend.name}: {exc}.")
    looping = sorted(k for k in written[names.bucket] if k.startswith(names.prefix))
    if looping:
        return failed(f"Run on {probe}, {names.function} wrote {', '.join(looping)} back under {names.prefix} "
                      f"in {names.bucket}, which triggers it again.")
    expected = sorted(k for k in written[bucket] if k.startswith(prefix))
    if not expected:
        return failed(f"Run on {probe}, {names.function} wrote nothing to s3://{bucket}/{prefix}, the destination "
                      "its configuration names.", hint="Read OUTPUT_BUCKET and OUTPUT_PREFIX from os.environ.")
    return passed(f"Run on {probe}, {names.function} wrote s3://{bucket}/{expected[0]} and nothing under "
                  f"{names.prefix}.")


def loop_detection_on(aws):
    name = aws.names.function
    if aws.backend.name == "moto":
        return not_verifiable("Recursive loop detection is not verifiable on moto: it does not implement "
                              "GetFunctionRecursionConfig (404).")
    if function_config(aws) is None:
        return failed(f"Function {name} does not exist, so its loop detection cannot be read.")
    mode = aws.client("lambda").get_function_recursion_config(FunctionName=name).get("RecursiveLoop")
    if mode != "Terminate":
        return failed(f"Function {name} has RecursiveLoop {mode}; expected Terminate, so Lambda stops a loop.")
    return passed(f"Function {name} keeps recursive loop detection on (RecursiveLoop Terminate).")
