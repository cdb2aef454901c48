"""Checker for xray-tracing: active tracing on the function and the stage, and a trace sent by the code."""

import datetime
import io
import json
import secrets
import time
import zipfile

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

STEP_NEEDS = {1: ("journal",)}  # tracing enabled by update: moto ignores it, the journal shows it

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
TRACE_WAIT = 10.0  # seconds: X-Ray indexes traces a few seconds after they arrive on AWS
MOTO_TRACE_WAIT = 1.0  # moto stores them synchronously


def setup(aws):
    """The function and the API stage the learner turns tracing on for, both untraced."""
    names = aws.names
    role = aws.iam.create_role(RoleName=f"{names.function}-role",
                               AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    aws.client("lambda").create_function(FunctionName=names.function, Runtime="python3.12", Role=role,
                                         Handler="app.handler", Code={"ZipFile": buffer.getvalue()})
    apigateway = aws.apigateway
    api_id = apigateway.create_rest_api(name=names.api)["id"]
    root = apigateway.get_resources(restApiId=api_id)["items"][0]["id"]
    apigateway.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigateway.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                               requestTemplates={"application/json": '{"statusCode": 200}'})
    apigateway.create_deployment(restApiId=api_id, stageName=names.stage)


def check(aws):
    yield from steps(aws, function_traced, stage_traced, code_sends_trace)


def names_function(value: str, name: str) -> bool:
    return value == name or value.endswith(f":function:{name}") or f":function:{name}:" in value


def tracing_requested(aws) -> str | None:
    """The TracingConfig mode of the learner's last successful call that set one (trap 7: moto drops updates)."""
    name = aws.names.function
    calls = [c for op in ("CreateFunction", "UpdateFunctionConfiguration") for c in aws.journal.calls(op)
             if c.succeeded and "TracingConfig" in c.params and names_function(str(c.params.get("FunctionName")), name)]
    if not calls:
        return None
    return max(calls, key=lambda c: c.seq).params["TracingConfig"].get("Mode")


def function_traced(aws):
    name = aws.names.function
    config = fetch(aws.client("lambda").get_function_configuration, FunctionName=name)
    if config is None:
        return failed(f"Lambda function {name} does not exist; reset the lab to get it back.")
    mode = (config.get("TracingConfig") or {}).get("Mode", "PassThrough")
    if mode == "Active":
        return passed(f"Lambda function {name} traces its invocations (TracingConfig Active).")
    requested = tracing_requested(aws)
    if requested == "Active":
        return passed(f"Lambda function {name} was set to TracingConfig Active by your update (moto does not keep "
                      "that setting on update, so the call journal shows it).")
    found = f"your last update asked for {requested}" if requested else f"its tracing mode is {mode}"
    return failed(f"Lambda function {name} does not trace actively: {found}; expected Active.",
                  hint="update_function_configuration with TracingConfig={'Mode': 'Active'}.")


def stage_traced(aws):
    names = aws.names
    apis = [a for a in aws.apigateway.get_rest_apis(limit=500)["items"] if a["name"] == names.api]
    if not apis:
        return failed(f"REST API {names.api} does not exist; reset the lab to get it back.")
    stage = next((s for s in aws.apigateway.get_stages(restApiId=apis[0]["id"])["item"]
                  if s["stageName"] == names.stage), None)
    if stage is None:
        return failed(f"REST API {names.api} has no stage {names.stage}; reset the lab to get it back.")
    if not stage.get("tracingEnabled"):
        return failed(f"Stage {names.stage} of {names.api} has X-Ray tracing off; expected tracingEnabled true.")
    return passed(f"Stage {names.stage} of {names.api} traces its requests with X-Ray.")


def recent_trace_ids(aws, since: datetime.datetime) -> list[str]:
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
    pages = aws.xray.get_paginator("get_trace_summaries").paginate(StartTime=since, EndTime=end)
    return [s["Id"] for page in pages for s in page.get("TraceSummaries", [])]


def documents_by_trace(aws, trace_ids: list[str]) -> dict[str, list[dict]]:
    traces: dict[str, list[dict]] = {}
    for start in range(0, len(trace_ids), 5):  # BatchGetTraces takes at most 5 ids
        for trace in aws.xray.batch_get_traces(TraceIds=trace_ids[start:start + 5]).get("Traces", []):
            traces[trace["Id"]] = [json.loads(s["Document"]) for s in trace.get("Segments", [])]
    return traces


def all_parts(documents: list[dict]):
    """Every segment and subsegment of a trace, nested or sent on their own."""
    stack = list(documents)
    while stack:
        part = stack.pop()
        yield part
        stack.extend(part.get("subsegments", []))


def annotated(documents: list[dict], key: str, value: str) -> bool:
    return any((part.get("annotations") or {}).get(key) == value for part in all_parts(documents))


def find_trace(aws, since, key: str, value: str) -> tuple[str | None, list[dict], int]:
    """Poll recent traces for the annotation, filtering client-side (moto 500s on filter expressions)."""
    deadline = time.monotonic() + (MOTO_TRACE_WAIT if aws.backend.name == "moto" else TRACE_WAIT)
    while True:
        traces = documents_by_trace(aws, recent_trace_ids(aws, since))
        match = next(((tid, docs) for tid, docs in traces.items() if annotated(docs, key, value)), None)
        if match or time.monotonic() > deadline:
            return (*match, len(traces)) if match else (None, [], len(traces))
        time.sleep(0.5)


def trace_problems(aws, documents: list[dict], order_id: str) -> list[str]:
    names = aws.names
    segments = [d for d in documents if d.get("type") != "subsegment"]
    named = [s for s in segments if s.get("name") == names.segment]
    problems = []
    if not named:
        found = ", ".join(sorted(str(s.get("name")) for s in segments)) or "none"
        problems.append(f"it has no segment named {names.segment} (segments: {found})")
    elif not any((s.get("annotations") or {}).get(names.annotation) == order_id for s in named):
        problems.append(f"the annotation {names.annotation} is not on the {names.segment} segment")
    subsegments = [p for p in all_parts(documents) if p not in segments]
    if not any(p.get("name") == names.subsegment for p in subsegments):
        found = ", ".join(sorted(str(p.get("name")) for p in subsegments)) or "none"
        problems.append(f"it has no subsegment named {names.subsegment} (subsegments: {found})")
    return problems


def code_sends_trace(aws):
    names = aws.names
    order_id = f"check-{secrets.token_hex(4)}"
    since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    returned = aws.call_code("record_checkout", order_id)
    trace_id, documents, seen = find_trace(aws, since, names.annotation, order_id)
    if trace_id is None:
        return failed(f"record_checkout({order_id!r}) left no trace annotated {names.annotation}={order_id} "
                      f"among the {seen} recent trace(s).", hint="Annotations go in the segment's "
                      "\"annotations\" object, not in \"metadata\".")
    problems = trace_problems(aws, documents, order_id)
    if problems:
        return failed(f"Trace {trace_id} from record_checkout is incomplete: {'; '.join(problems)}.")
    if returned != trace_id:
        return failed(f"record_checkout({order_id!r}) sent trace {trace_id} but returned {returned!r}; return the "
                      "trace id.")
    return passed(f"record_checkout({order_id!r}) sent trace {trace_id}: segment {names.segment} annotated "
                  f"{names.annotation}={order_id} with subsegment {names.subsegment}.")
