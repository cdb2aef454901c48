"""Checker for cfn-package-deploy: artifact uploaded, stack complete, function code from the artifact."""

import base64
import hashlib
import io
import json
import time
import zipfile

from botocore.exceptions import ClientError

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

COMPLETE = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
SETTLE_SECONDS = 20


def check(aws):
    yield from steps(aws, artifact_uploaded, stack_complete, stack_resources_exist, code_from_artifact)


def artifact_objects(aws) -> list[tuple[str, bytes]] | None:
    """(key, body) of every zip in the artifact bucket holding app.py; None when the bucket is missing."""
    bucket = aws.names.bucket
    if fetch(aws.s3.head_bucket, Bucket=bucket) is None:
        return None
    found = []
    for item in aws.s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        body = aws.s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        try:
            if "app.py" in zipfile.ZipFile(io.BytesIO(body)).namelist():
                found.append((item["Key"], body))
        except zipfile.BadZipFile:
            continue
    return found


def artifact_uploaded(aws):
    bucket = aws.names.bucket
    artifacts = artifact_objects(aws)
    if artifacts is None:
        return failed(f"Artifact bucket {bucket} does not exist; create it before packaging.")
    if not artifacts:
        return failed(f"Artifact bucket {bucket} holds no zip with app.py; package the template so the src/ "
                      "folder is uploaded there.")
    return passed(f"Artifact bucket {bucket} holds the packaged code ({artifacts[0][0]}).")


def stack(aws) -> dict | None:
    try:
        stacks = aws.cloudformation.describe_stacks(StackName=aws.names.stack)["Stacks"]
    except ClientError as exc:
        if "does not exist" in exc.response["Error"]["Message"]:
            return None
        raise
    return stacks[0] if stacks else None


def settled_stack(aws) -> dict | None:
    """The stack once it leaves *_IN_PROGRESS (polled, bounded)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    current = stack(aws)
    while current and current["StackStatus"].endswith("_IN_PROGRESS") and time.monotonic() < deadline:
        time.sleep(0.5)
        current = stack(aws)
    return current


def stack_complete(aws):
    name = aws.names.stack
    current = settled_stack(aws)
    if current is None:
        return failed(f"Stack {name} does not exist; deploy the packaged template under that name.")
    status = current["StackStatus"]
    if status not in COMPLETE:
        reason = current.get("StackStatusReason") or "no reason given"
        return failed(f"Stack {name} is {status}, not CREATE_COMPLETE ({reason}).")
    return passed(f"Stack {name} is {status}.")


def function_resource(aws) -> dict | None:
    resources = aws.cloudformation.describe_stack_resources(StackName=aws.names.stack)["StackResources"]
    return next((r for r in resources if r["ResourceType"] == "AWS::Lambda::Function"), None)


def stack_resources_exist(aws):
    name = aws.names.stack
    if stack(aws) is None:
        return failed(f"Stack {name} does not exist, so it has no resources.")
    resource = function_resource(aws)
    if resource is None:
        return failed(f"Stack {name} has no AWS::Lambda::Function resource; deploy the lab's template.")
    function = fetch(aws.client("lambda").get_function, FunctionName=resource["PhysicalResourceId"])
    if function is None:
        return failed(f"Stack {name} lists function {resource['PhysicalResourceId']}, but Lambda has no such "
                      "function.")
    return passed(f"Stack {name} created function {resource['PhysicalResourceId']} "
                  f"({resource['LogicalResourceId']}).")


def sha256_b64(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def deployed_inline(aws) -> bool:
    body = aws.cloudformation.get_template(StackName=aws.names.stack)["TemplateBody"]
    return "ZipFile" in (body if isinstance(body, str) else json.dumps(body))


def code_from_artifact(aws):
    names = aws.names
    resource = function_resource(aws) if stack(aws) else None
    function = resource and fetch(aws.client("lambda").get_function, FunctionName=resource["PhysicalResourceId"])
    if not function:
        return failed(f"Stack {names.stack} has no deployed function, so its code cannot be traced.")
    digest = function["Configuration"]["CodeSha256"]
    source = next((key for key, body in artifact_objects(aws) or [] if sha256_b64(body) == digest), None)
    if source:
        return passed(f"Function {resource['PhysicalResourceId']} runs the code uploaded to "
                      f"s3://{names.bucket}/{source}.")
    if deployed_inline(aws):
        return failed(f"Function {resource['PhysicalResourceId']} was deployed with inline ZipFile code; expected "
                      f"code packaged from src/ into {names.bucket}.",
                      hint="Run `aws cloudformation package` and deploy the template it writes.")
    return failed(f"Function {resource['PhysicalResourceId']} runs code (CodeSha256 {digest}) that matches no "
                  f"object in {names.bucket}; deploy the template that package rewrote.")
