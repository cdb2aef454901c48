"""Checker for apigw-fix-stage: prod serves a deployment with GET /orders, prod's stage variable, a call.

Which methods a deployment holds is read from ``GetDeployment`` with ``embed=apisummary`` where the backend
answers it (AWS and ministack do): a snapshot without GET /orders is stale for certain.  The snapshot lists
methods, not integrations, so whether the deployment holds GET /orders *as it is now* is judged from the call
journal: it does when it was created after the learner's last change to that method (setup's own two
deployments are known by their descriptions).  Without a journal (ministack) a snapshot that lists GET /orders
cannot tell a deployment made before an integration edit from one made after it, and calling the stage does not
help there either (ministack answers from the live API, not the deployment), so step 1 needs the journal.
"""

from labrunner import routes
from labrunner.grading import failed, not_verifiable, passed, steps
from labrunner.lookups import fetch

STEP_NEEDS = {1: ("journal",), 3: ("callable_api_routes",)}

OLD_RELEASE = "release 1: /health"
NEW_RELEASE = "release 2: adds GET /orders"
# Calls that change what GET /orders does (method, integration and their responses).
METHOD_CHANGES = {f"{verb}{part}" for verb in ("Put", "Update", "Delete")
                  for part in ("Method", "Integration", "MethodResponse", "IntegrationResponse")}
RESOURCE_CHANGES = {"DeleteResource", "UpdateResource"}
MOCK_200 = {"application/json": '{"statusCode": 200}'}


def mock_get(apigateway, api_id, resource_id, body: str):
    """GET on a resource, answered by API Gateway itself with 200 and ``body``."""
    apigateway.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="GET", authorizationType="NONE")
    apigateway.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="GET", type="MOCK",
                               requestTemplates=MOCK_200)
    apigateway.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200")
    apigateway.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET",
                                        statusCode="200", responseTemplates={"application/json": body})


def setup(aws):
    """prod on release 1 (before GET /orders) with dev's table; dev on release 2, which has GET /orders."""
    names, apigateway = aws.names, aws.apigateway
    api_id = apigateway.create_rest_api(name=names.api, description="Orders service")["id"]
    root = next(r["id"] for r in apigateway.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    health = apigateway.create_resource(restApiId=api_id, parentId=root, pathPart="health")["id"]
    mock_get(apigateway, api_id, health, '{"ok": true}')
    old = apigateway.create_deployment(restApiId=api_id, description=OLD_RELEASE)["id"]
    apigateway.create_stage(restApiId=api_id, stageName="prod", deploymentId=old,
                            variables={names.variable: names.dev_table})  # copied from dev: the second bug
    orders = apigateway.create_resource(restApiId=api_id, parentId=root, pathPart="orders")["id"]
    mock_get(apigateway, api_id, orders, '{"orders": [], "table": "$stageVariables.table"}')
    new = apigateway.create_deployment(restApiId=api_id, description=NEW_RELEASE)["id"]
    apigateway.create_stage(restApiId=api_id, stageName="dev", deploymentId=new,
                            variables={names.variable: names.dev_table})


def check(aws):
    yield from steps(aws, prod_serves_orders, prod_variable, prod_answers)


def the_api(aws) -> dict | None:
    apis = [a for a in aws.apigateway.get_rest_apis(limit=500)["items"] if a["name"] == aws.names.api]
    return apis[0] if len(apis) == 1 else None


def orders_method(aws, api_id) -> tuple[dict | None, dict | None]:
    resources = aws.apigateway.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    resource = next((r for r in resources if r["path"] == "/orders"), None)
    return resource, (resource or {}).get("resourceMethods", {}).get("GET")


def stages_of(aws, api_id) -> dict:
    return {s["stageName"]: s for s in aws.apigateway.get_stages(restApiId=api_id)["item"]}


def last_change(aws, api_id, resource_id):
    """The learner's latest successful call that changed GET /orders, or None."""
    changes = []
    for call in aws.journal.calls(service="apigateway", succeeded=True):
        params = call.params
        if params.get("restApiId") != api_id:
            continue
        if call.operation == "PutRestApi" or (
                params.get("resourceId") == resource_id and (
                    call.operation in RESOURCE_CHANGES or
                    (call.operation in METHOD_CHANGES and str(params.get("httpMethod", "")).upper() == "GET"))):
            changes.append(call)
    return max(changes, key=lambda c: c.seq, default=None)


def creation_times(aws, api_id, learner_deployments: list[dict]) -> dict:
    """When each learner deployment was made: its CreateDeployment call in the journal, else its createdDate."""
    calls = [c for c in aws.journal.calls("CreateDeployment", service="apigateway", succeeded=True)
             if c.params.get("restApiId") == api_id]
    times, position = {}, 0
    for deployment in learner_deployments:  # moto lists deployments in creation order, like the journal
        created = deployment["createdDate"].timestamp()
        for index in range(position, len(calls)):
            call = calls[index]
            if call.params.get("description", "") == deployment.get("description", "") and \
                    int(call.time) <= created <= call.time + 5:
                times[deployment["id"]], position = call.time, index + 1
                break
        else:
            times[deployment["id"]] = created
    return times


def serves_orders(aws, api_id, deployment_id, resource_id) -> tuple[bool | None, str]:
    """Does the deployment hold GET /orders as the API has it now (None: cannot tell)? And a clause saying why."""
    apigateway = aws.apigateway
    found = fetch(apigateway.get_deployment, restApiId=api_id, deploymentId=deployment_id, embed=["apisummary"])
    if found is None:
        return False, "which does not exist"
    if "apiSummary" in found:  # AWS, ministack: the deployment's own snapshot of the API (methods, not integrations)
        if "GET" not in found["apiSummary"].get("/orders", {}):
            return False, "a snapshot made before GET /orders existed"
    if not aws.journal.available:
        return None, undecided_clause(aws, "apiSummary" in found)
    deployments = apigateway.get_deployments(restApiId=api_id, limit=500)["items"]
    setup_ids = {d["description"]: d["id"] for d in deployments[:2]
                 if d.get("description") in (OLD_RELEASE, NEW_RELEASE)}
    change = last_change(aws, api_id, resource_id)
    if deployment_id == setup_ids.get(OLD_RELEASE):
        return False, f"\"{OLD_RELEASE}\", a snapshot made before GET /orders existed"
    if deployment_id == setup_ids.get(NEW_RELEASE):
        if change is None:
            return True, f"\"{NEW_RELEASE}\", which includes GET /orders"
        return False, f"\"{NEW_RELEASE}\", made before your {change.operation} on GET /orders"
    learner = [d for d in deployments if d["id"] not in setup_ids.values()]
    created = creation_times(aws, api_id, learner).get(deployment_id)
    if change is not None and (created is None or created < change.time):
        return False, f"made before your latest change to GET /orders ({change.operation})"
    return True, "which was made after GET /orders was complete"


def undecided_clause(aws, has_snapshot: bool) -> str:
    seen = ("its snapshot lists GET /orders but not the integration behind it"
            if has_snapshot else "the backend shows no snapshot of what it holds")
    return (f"which may predate your last change to GET /orders: {seen}, and {aws.backend.name} keeps no call "
            "journal to date the deployment against that change")


def prod_serves_orders(aws):
    names = aws.names
    api = the_api(aws)
    if api is None:
        return failed(f"Expected exactly one REST API {names.api}; repair the existing one rather than replace it.")
    resource, method = orders_method(aws, api["id"])
    if method is None:
        return failed(f"REST API {names.api} has no GET /orders method any more; it was there, only undeployed.")
    if not method.get("methodIntegration"):
        return failed(f"GET /orders of {names.api} has no integration now, so no deployment of it can answer.",
                      hint="Put the MOCK integration back, then deploy.")
    stages = stages_of(aws, api["id"])
    prod = stages.get("prod")
    if prod is None:
        return failed(f"REST API {names.api} has no stage prod (stages: {', '.join(sorted(stages)) or 'none'}); "
                      "callers use prod, so repair that stage.")
    if not prod.get("deploymentId"):
        return failed(f"Stage prod of {names.api} points at no deployment; point it at one that has GET /orders.")
    ok, why = serves_orders(aws, api["id"], prod["deploymentId"], resource["id"])
    if ok is None:
        return not_verifiable(f"Whether stage prod of {names.api} serves GET /orders as it is now is not verifiable "
                              f"on {aws.backend.name}: prod serves deployment {prod['deploymentId']}, {why}.")
    if ok:
        return passed(f"Stage prod of {names.api} serves deployment {prod['deploymentId']}, {why}.")
    others = sorted(name for name, stage in stages.items() if name not in ("prod", "dev") and stage.get("deploymentId")
                    and serves_orders(aws, api["id"], stage.get("deploymentId", ""), resource["id"])[0] is True)
    if others:
        hint = f"Stage {others[0]} serves GET /orders, but callers use prod: deploy to prod itself."
    elif "change" in why:
        hint = "Deploy again after your last edit: changes to GET /orders go live only in a new deployment."
    else:
        hint = "Create a new deployment with stageName prod, or point prod's deploymentId at one that has GET /orders."
    return failed(f"Stage prod of {names.api} still serves deployment {prod.get('deploymentId')}, {why}.", hint=hint)


def prod_variable(aws):
    names, variable = aws.names, aws.names.variable
    api = the_api(aws)
    if api is None:
        return failed(f"The stage variables cannot be checked until exactly one REST API {names.api} exists.")
    stages = stages_of(aws, api["id"])
    if "prod" not in stages:
        return failed(f"REST API {names.api} has no stage prod, so it has no stage variables.")
    values = {name: (stage.get("variables") or {}).get(variable) for name, stage in stages.items()}
    if values["prod"] != names.prod_table:
        hint = (f"You set {variable}={names.prod_table} on dev: stage variables belong to each stage, so set it "
                "on prod." if values.get("dev") == names.prod_table else
                f"update_stage on prod with a replace of /variables/{variable}.")
        found = (f"sets {variable}={values['prod']}" if values["prod"] is not None
                 else f"has no stage variable {variable}")
        return failed(f"Stage prod of {names.api} {found}; expected {variable}={names.prod_table}.", hint=hint)
    if "dev" in values and values["dev"] != names.dev_table:
        return failed(f"Stage prod is right, but stage dev of {names.api} now sets {variable}={values['dev']}; dev "
                      f"must keep {names.dev_table}.")
    return passed(f"Stage prod of {names.api} sets {variable}={names.prod_table} and dev keeps {names.dev_table}.")


def prod_answers(aws):
    if not routes.can_call(aws):
        return not_verifiable(routes.not_served_sentence(aws, "Calling the prod stage"))
    api = the_api(aws)
    if api is None:
        return failed(f"Stage prod cannot be called until exactly one REST API {aws.names.api} exists.")
    try:
        status = routes.call_status(aws, api["id"], "prod", "orders")
    except routes.Refused as exc:
        return not_verifiable(exc.sentence)
    if status != 200:
        return failed(f"GET /orders on stage prod of {aws.names.api} answered {status}; expected 200.")
    return passed(f"GET /orders on stage prod of {aws.names.api} answers 200.")
