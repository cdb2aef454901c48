"""Checker for apigw-rest-stages: the API, GET /items, dev and prod stages with their variables, a call."""

from labrunner import routes
from labrunner.grading import failed, not_verifiable, passed, steps

STEP_NEEDS = {5: ("callable_api_routes",)}

STAGES = ("dev", "prod")


def check(aws):
    yield from steps(aws, api_exists, get_items_integrated, dev_stage, prod_stage, stages_answer)


def apis_named(aws) -> list[dict]:
    return [api for api in aws.apigateway.get_rest_apis(limit=500)["items"] if api["name"] == aws.names.api]


def the_api(aws) -> dict | None:
    apis = apis_named(aws)
    return apis[0] if len(apis) == 1 else None


def api_exists(aws):
    apis, name = apis_named(aws), aws.names.api
    if not apis:
        return failed(f"REST API {name} does not exist yet; create it with create_rest_api.")
    if len(apis) > 1:
        ids = ", ".join(api["id"] for api in apis)
        return failed(f"There are {len(apis)} REST APIs named {name} (ids {ids}); expected exactly one: delete the "
                      "extra ones.")
    return passed(f"REST API {name} exists (id {apis[0]['id']}).")


def get_items_method(aws, api_id) -> tuple[dict | None, dict | None]:
    resources = aws.apigateway.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    resource = next((r for r in resources if r["path"] == "/items"), None)
    if resource is None:
        return None, None
    return resource, resource.get("resourceMethods", {}).get("GET")


def get_items_integrated(aws):
    api, name = the_api(aws), aws.names.api
    if api is None:
        return failed(f"GET /items cannot be checked until exactly one REST API {name} exists.")
    resource, method = get_items_method(aws, api["id"])
    if resource is None:
        return failed(f"REST API {name} has no /items resource; create it under / with pathPart items.")
    if method is None:
        found = ", ".join(sorted(resource.get("resourceMethods", {}))) or "no method"
        return failed(f"Resource /items of {name} has {found}, not a GET method.")
    integration = method.get("methodIntegration")
    if not integration:
        return failed(f"GET /items of {name} has no integration; add one (a MOCK integration is enough).",
                      hint="put_integration with type MOCK and the request template {\"statusCode\": 200}.")
    return passed(f"GET /items of {name} has a {integration.get('type')} integration.")


def stage_result(aws, stage: str, expected_value: str):
    api, names = the_api(aws), aws.names
    if api is None:
        return failed(f"Stage {stage} cannot be checked until exactly one REST API {names.api} exists.")
    stages = {s["stageName"]: s for s in aws.apigateway.get_stages(restApiId=api["id"])["item"]}
    found = stages.get(stage)
    if found is None:
        others = ", ".join(sorted(stages)) or "none"
        return failed(f"REST API {names.api} has no stage {stage} (stages: {others}); deploy it to {stage} too.")
    if not found.get("deploymentId"):
        return failed(f"Stage {stage} of {names.api} points at no deployment.")
    value = (found.get("variables") or {}).get(names.variable)
    if value is None:
        return failed(f"Stage {stage} of {names.api} has no stage variable {names.variable}; expected "
                      f"{names.variable}={expected_value}.", hint="Stage variables are set on the stage.")
    if value != expected_value:
        return failed(f"Stage {stage} of {names.api} sets {names.variable}={value}; expected {expected_value}.")
    return passed(f"Stage {stage} of {names.api} is deployed with {names.variable}={expected_value}.")


def dev_stage(aws):
    return stage_result(aws, "dev", aws.names.dev_table)


def prod_stage(aws):
    return stage_result(aws, "prod", aws.names.prod_table)


def stages_answer(aws):
    if not routes.can_call(aws):
        return not_verifiable(routes.not_served_sentence(aws, "Calling the deployed stages"))
    api = the_api(aws)
    if api is None:
        return failed(f"The stages cannot be called until exactly one REST API {aws.names.api} exists.")
    try:
        statuses = {stage: routes.call_status(aws, api["id"], stage, "items") for stage in STAGES}
    except routes.Refused as exc:
        return not_verifiable(exc.sentence)
    wrong = {stage: status for stage, status in statuses.items() if status != 200}
    if wrong:
        found = ", ".join(f"{stage} answered {status}" for stage, status in wrong.items())
        return failed(f"GET /items of {aws.names.api} should answer 200 on dev and prod; {found}.")
    return passed(f"GET /items of {aws.names.api} answers 200 on both dev and prod.")
