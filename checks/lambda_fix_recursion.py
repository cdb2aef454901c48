"""Checker for lambda-fix-recursion: the trigger still fires, a test run writes outside all triggers, loop check."""

import io
import json
import re
import uuid
import zipfile

from labrunner.grading import failed, not_verifiable, passed, steps
from labrunner.harness import LearnerCodeError
from labrunner.lambda_runner import CodeUnavailable, fetch_code, invoke
from labrunner.lookups import fetch
from labrunner.s3_triggers import filter_value, function_triggers

STEP_NEEDS = {2: ("lambda_code",), 3: ("lambda_recursion_config",)}

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}

# What setup deploys: the bucket is hard-coded and the summary lands next to its input, so on AWS every
# summary is itself an upload that invokes the function again.  OUTPUT_BUCKET is set but never read.
BROKEN_SOURCE = '''\
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")
BUCKET = "{bucket}"


def summarise(body: bytes) -> bytes:
    lines = body.decode("utf-8", "replace").splitlines()
    return f"{{len(lines)}} line(s)\\n".encode()


def handler(event, context):
    written = []
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=record["s3"]["bucket"]["name"], Key=key)["Body"].read()
        target = key.rsplit(".", 1)[0] + ".summary.txt"
        s3.put_object(Bucket=BUCKET, Key=target, Body=summarise(body))
        written.append(f"s3://{{BUCKET}}/{{target}}")
    return {{"written": written}}
'''
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def setup(aws):
    """The looping deployment: an unfiltered ObjectCreated trigger on a bucket the code writes back into."""
    names, s3, awslambda = aws.names, aws.s3, aws.client("lambda")
    s3.create_bucket(Bucket=names.bucket)
    role = aws.iam.create_role(RoleName=names.role, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    arn = awslambda.create_function(
        FunctionName=names.function, Runtime="python3.12", Role=role, Handler="app.handler", Timeout=30,
        Code={"ZipFile": zipped(BROKEN_SOURCE.format(bucket=names.bucket))},
        Environment={"Variables": {"OUTPUT_BUCKET": names.bucket}})["FunctionArn"]
    awslambda.get_waiter("function_active_v2").wait(FunctionName=names.function)
    awslambda.add_permission(FunctionName=names.function, StatementId="s3-invoke", Action="lambda:InvokeFunction",
                             Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{names.bucket}",
                             SourceAccount=aws.account_id)
    s3.put_bucket_notification_configuration(Bucket=names.bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"Id": "summarise-uploads", "LambdaFunctionArn": arn,
                                          "Events": ["s3:ObjectCreated:*"]}]})


def check(aws):
    yield from steps(aws, trigger_kept, output_outside_triggers, loop_detection_on)


def function_config(aws) -> dict | None:
    return fetch(aws.client("lambda").get_function_configuration, FunctionName=aws.names.function)


def bucket_exists(aws, bucket) -> bool:
    return bool(BUCKET_NAME.match(bucket or "")) and fetch(aws.s3.head_bucket, Bucket=bucket) is not None


def triggers_of_function(aws, bucket: str) -> list[dict]:
    return function_triggers(aws, bucket) if bucket_exists(aws, bucket) else []


def fires_on(trigger: dict, key: str) -> bool:
    return key.startswith(filter_value(trigger, "prefix")) and key.endswith(filter_value(trigger, "suffix"))


def describe_filter(trigger: dict) -> str:
    prefix, suffix = filter_value(trigger, "prefix"), filter_value(trigger, "suffix")
    if not prefix and not suffix:
        return "no filter"
    return " and ".join(f"{name} {value}" for name, value in (("prefix", prefix), ("suffix", suffix)) if value)


def s3_may_invoke(aws) -> bool:
    response = fetch(aws.client("lambda").get_policy, FunctionName=aws.names.function)
    for statement in json.loads(response["Policy"]).get("Statement", []) if response else []:
        principal = statement.get("Principal", {})
        service = principal.get("Service") if isinstance(principal, dict) else principal
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") == "Allow" and service == "s3.amazonaws.com" and \
                any(a in ("lambda:InvokeFunction", "lambda:*") for a in actions):
            return True
    return False


def trigger_kept(aws):
    names = aws.names
    if not bucket_exists(aws, names.bucket):
        return failed(f"Bucket {names.bucket} is gone; the uploads it receives were what the function is for.")
    if function_config(aws) is None:
        return failed(f"Function {names.function} is gone; repair it rather than delete it.")
    triggers = triggers_of_function(aws, names.bucket)
    if not triggers:
        return failed(f"Bucket {names.bucket} has no s3:ObjectCreated notification that invokes {names.function}, "
                      "so the function no longer runs on uploads at all.",
                      hint="Stopping the loop by removing the trigger also stops the work: put it back, filtered.")
    if not s3_may_invoke(aws):
        return failed(f"Function {names.function} has no resource policy letting s3.amazonaws.com invoke it, so "
                      "the trigger cannot fire.", hint="Add it back with add_permission.")
    filters = ", ".join(describe_filter(t) for t in triggers)
    return passed(f"New objects in {names.bucket} still invoke {names.function} ({filters}), and S3 may invoke it.")


def keys(aws, bucket: str) -> set[str]:
    found = set()
    for page in aws.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        found |= {o["Key"] for o in page.get("Contents", [])}
    return found


def s3_event(bucket: str, key: str, size: int, region: str) -> dict:
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "awsRegion": region,
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "lab-check",
               "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": key, "size": size}}}]}


def probe_key(aws, trigger: dict) -> str:
    """A new upload the trigger fires on, under the input prefix."""
    prefix, suffix = filter_value(trigger, "prefix") or aws.names.prefix, filter_value(trigger, "suffix")
    key = f"{prefix}check-{uuid.uuid4().hex[:8]}.csv"
    return key if key.endswith(suffix) else key + suffix


def source_text(zip_bytes: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                             if n.endswith(".py"))
    except zipfile.BadZipFile:
        return ""


def loop_hint(aws, bucket: str, trigger: dict, config: dict) -> str:
    """What to change, from where the output landed and what the configuration says."""
    names = aws.names
    configured = ((config.get("Environment") or {}).get("Variables") or {}).get("OUTPUT_BUCKET")
    if bucket != names.bucket:
        return f"Remove the trigger of {names.function} from {bucket}: it is an output bucket, not an input."
    if configured and configured != names.bucket:
        return (f"OUTPUT_BUCKET says {configured}, but the deployed code still writes to {bucket}: deploy code "
                "that reads os.environ.")
    if filter_value(trigger, "prefix"):
        return (f"The filter is in place, but the code still writes under {filter_value(trigger, 'prefix')}: "
                f"deploy code that writes under {names.output_prefix} instead.")
    return (f"Filter the trigger on {names.prefix} and write under {names.output_prefix}, or write to a second "
            "bucket named by OUTPUT_BUCKET.")


def output_outside_triggers(aws):
    names = aws.names
    config = function_config(aws)
    triggers = triggers_of_function(aws, names.bucket) if config else []
    if not triggers:
        return failed(f"The code of {names.function} cannot be tested until uploads to {names.bucket} invoke it.")
    trigger = triggers[0]
    parts = trigger["LambdaFunctionArn"].split(":")
    qualifier = parts[7] if len(parts) > 7 else None
    try:
        code = fetch_code(aws, names.function, qualifier)  # its source too: a hard-coded bucket is a miss
    except CodeUnavailable as exc:
        return not_verifiable(f"Running {names.function} is not verifiable on {aws.backend.name}: {exc}.")
    if code is None:
        return failed(f"The trigger of {names.bucket} invokes {trigger['LambdaFunctionArn']}, which does not exist.")
    if not str(code.runtime or "").startswith("python"):
        return failed(f"Function {names.function} uses the runtime {code.runtime}; the lab keeps it on python3.x.")
    variables = {str(v) for v in ((config.get("Environment") or {}).get("Variables") or {}).values()}
    watched = {b for b in {names.bucket, names.output_bucket} | variables if bucket_exists(aws, b)}
    before = {b: keys(aws, b) for b in watched}
    probe, body = probe_key(aws, trigger), b"region,total\nnorth,12\nsouth,30\n"
    aws.s3.put_object(Bucket=names.bucket, Key=probe, Body=body)
    try:
        invoke(aws, names.function, s3_event(names.bucket, probe, len(body), aws.region), qualifier=qualifier)
    except LearnerCodeError as exc:
        return failed(f"Run on {probe}: {exc.sentence.rstrip('.')}.")
    written = sorted((b, k) for b in watched for k in keys(aws, b) - before[b] - {probe})
    for bucket, key in written:
        loops = [t for t in triggers_of_function(aws, bucket) if fires_on(t, key)]
        if loops:
            return failed(f"Run on {probe}, {names.function} wrote s3://{bucket}/{key}, which its own trigger on "
                          f"{bucket} ({describe_filter(loops[0])}) fires on: every output would invoke it again.",
                          hint=loop_hint(aws, bucket, loops[0], config))
    if not written:
        return failed(f"Run on {probe}, {names.function} wrote nothing to {', '.join(sorted(watched))}; it should "
                      "still write a summary.")
    source = source_text(code.zip_bytes)
    for bucket, key in written:
        if bucket == names.bucket:
            continue
        if bucket not in variables:
            return failed(f"Run on {probe}, {names.function} wrote s3://{bucket}/{key}, but no environment "
                          f"variable of {names.function} names {bucket}; configure it as OUTPUT_BUCKET.")
        if f'"{bucket}"' in source or f"'{bucket}'" in source:
            return failed(f"Run on {probe}, {names.function} wrote s3://{bucket}/{key}, but its code hard-codes "
                          f"the bucket name {bucket}; read it from os.environ instead.")
    bucket, key = written[0]
    return passed(f"Run on {probe}, {names.function} wrote s3://{bucket}/{key}, where none of its triggers fire.")


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
