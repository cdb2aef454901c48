"""Near-misses and alternatives for xray-tracing."""

import io
import subprocess
import sys
import zipfile

from labrunner.catalog import load
from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.xray_tracing import solve

LAB = load().get("xray-tracing")
REFERENCE = LAB.solution_path.read_text()
STARTER = LAB.starter_path.read_text()


def variant(old: str, new: str) -> str:
    assert old in REFERENCE, old
    return REFERENCE.replace(old, new)


IN_METADATA = variant('"annotations": {"order_id": order_id}', '"metadata": {"order_id": order_id}')
NO_SUBSEGMENT = variant('"subsegments": [{"name": "charge-card"', '"unused": [{"name": "charge-card"')
WRONG_SUBSEGMENT = variant('"name": "charge-card"', '"name": "payment"')
WRONG_SEGMENT = variant('"name": "checkout"', '"name": "Checkout"')
RETURNS_NOTHING = variant("    return trace_id\n", "    return None\n")
ANNOTATION_ON_SUBSEGMENT = variant(
    '"annotations": {"order_id": order_id},\n        "subsegments": [{"name": "charge-card", ',
    '"subsegments": [{"name": "charge-card", "annotations": {"order_id": order_id}, ')

SEPARATE_SUBSEGMENT = variant(
    '    response = boto3.client("xray").put_trace_segments(TraceSegmentDocuments=[json.dumps(segment)])',
    '''    child = segment.pop("subsegments")[0]
    child.update({"type": "subsegment", "parent_id": segment["id"], "trace_id": trace_id})
    response = boto3.client("xray").put_trace_segments(
        TraceSegmentDocuments=[json.dumps(segment), json.dumps(child)])''')


def stage_only(aws):
    api_id = next(a["id"] for a in aws.apigateway.get_rest_apis()["items"] if a["name"] == aws.names.api)
    aws.apigateway.update_stage(restApiId=api_id, stageName=aws.names.stage, patchOperations=[
        {"op": "replace", "path": "/tracingEnabled", "value": "true"}])


def passthrough(aws):
    stage_only(aws)
    aws.client("lambda").update_function_configuration(FunctionName=aws.names.function,
                                                       TracingConfig={"Mode": "PassThrough"})


def on_then_off(aws):
    solve(aws)
    passthrough(aws)


def function_only(aws):
    aws.client("lambda").update_function_configuration(FunctionName=aws.names.function,
                                                       TracingConfig={"Mode": "Active"})


NEAR_MISSES = [
    NearMiss("function tracing untouched", step=1, expect="its tracing mode is PassThrough", apply=stage_only),
    NearMiss("PassThrough instead of Active", step=1, expect="your last update asked for PassThrough",
             apply=passthrough),
    NearMiss("tracing turned on, then off", step=1, expect="asked for PassThrough", apply=on_then_off),
    NearMiss("stage not traced", step=2, expect="tracing off", apply=function_only),
    NearMiss("starter left as it is", step=3, expect="NotImplementedError", code=STARTER),
    NearMiss("order id in metadata", step=3, expect="left no trace annotated", code=IN_METADATA),
    NearMiss("no subsegment", step=3, expect="no subsegment named charge-card", code=NO_SUBSEGMENT),
    NearMiss("subsegment under another name", step=3, expect="(subsegments: payment)", code=WRONG_SUBSEGMENT),
    NearMiss("segment name in another case", step=3, expect="no segment named checkout", code=WRONG_SEGMENT),
    NearMiss("annotation on the subsegment", step=3, expect="is not on the checkout segment",
             code=ANNOTATION_ON_SUBSEGMENT),
    NearMiss("trace id not returned", step=3, expect="returned None", code=RETURNS_NOTHING),
]


def recreated_with_tracing(aws):
    """Delete the function and create it again with tracing at create (moto keeps it then)."""
    awslambda, name = aws.client("lambda"), aws.names.function
    config = awslambda.get_function(FunctionName=name)
    role = config["Configuration"]["Role"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 'ok'\n")
    awslambda.delete_function(FunctionName=name)
    awslambda.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                              Code={"ZipFile": buffer.getvalue()}, TracingConfig={"Mode": "Active"})
    stage_only(aws)


def aws_cli(aws):
    env = aws.learner_env()
    cli = [sys.executable, "-m", "awscli"]
    function_arn = f"arn:aws:lambda:{aws.region}:{aws.account_id}:function:{aws.names.function}"
    subprocess.run([*cli, "lambda", "update-function-configuration", "--function-name", function_arn,
                    "--tracing-config", "Mode=Active"], env=env, check=True, capture_output=True)
    api_id = next(a["id"] for a in aws.apigateway.get_rest_apis()["items"] if a["name"] == aws.names.api)
    subprocess.run([*cli, "apigateway", "update-stage", "--rest-api-id", api_id, "--stage-name", aws.names.stage,
                    "--patch-operations", "op=replace,path=/tracingEnabled,value=true"],
                   env=env, check=True, capture_output=True)


ALTERNATIVES = [
    Alternative("subsegment sent as its own document", code=SEPARATE_SUBSEGMENT),
    Alternative("function re-created with tracing at create", apply=recreated_with_tracing),
    Alternative("AWS CLI, function named by ARN", apply=aws_cli),
]

test_near_miss = near_miss_test("xray-tracing", NEAR_MISSES)
test_alternative = alternative_test("xray-tracing", ALTERNATIVES)
