"""Checker for apigw-websocket: the API and its selection expression, routes with integrations, the stage."""

from labrunner.grading import failed, passed, steps

SPECIAL_ROUTES = ("$connect", "$disconnect")


def check(aws):
    yield from steps(aws, websocket_api, connect_routes, custom_route, stage_deployed)


def apis_named(aws) -> list[dict]:
    return [a for a in aws.apigatewayv2.get_apis()["Items"] if a["Name"] == aws.names.api]


def the_api(aws) -> dict | None:
    apis = [a for a in apis_named(aws) if a.get("ProtocolType") == "WEBSOCKET"]
    return apis[0] if len(apis) == 1 else None


def websocket_api(aws):
    names, apis = aws.names, apis_named(aws)
    if not apis:
        return failed(f"API {names.api} does not exist yet; create it with create_api and ProtocolType WEBSOCKET.")
    sockets = [a for a in apis if a.get("ProtocolType") == "WEBSOCKET"]
    if not sockets:
        return failed(f"API {names.api} has protocol {apis[0].get('ProtocolType')}; expected a WEBSOCKET API.")
    if len(sockets) > 1:
        return failed(f"There are {len(sockets)} WebSocket APIs named {names.api}; expected exactly one.")
    expression = sockets[0].get("RouteSelectionExpression")
    if expression != names.selection:
        return failed(f"WebSocket API {names.api} routes on {expression}; expected {names.selection}.")
    return passed(f"WebSocket API {names.api} routes messages on {names.selection}.")


def routes_and_integrations(aws, api_id) -> tuple[dict, set]:
    routes = {r["RouteKey"]: r for r in aws.apigatewayv2.get_routes(ApiId=api_id)["Items"]}
    integrations = {i["IntegrationId"] for i in aws.apigatewayv2.get_integrations(ApiId=api_id)["Items"]}
    return routes, integrations


def route_problem(key: str, routes: dict, integrations: set) -> str | None:
    route = routes.get(key)
    if route is None:
        return f"there is no route {key}"
    target = route.get("Target") or ""
    if not target:
        return f"route {key} has no target"
    if target.removeprefix("integrations/") not in integrations:
        return f"route {key} targets {target}, which is not an integration of the API"
    return None


def no_api(aws, what: str):
    return failed(f"The {what} cannot be checked until exactly one WebSocket API {aws.names.api} exists.")


def connect_routes(aws):
    api = the_api(aws)
    if api is None:
        return no_api(aws, "$connect and $disconnect routes")
    routes, integrations = routes_and_integrations(aws, api["ApiId"])
    problems = [p for p in (route_problem(k, routes, integrations) for k in SPECIAL_ROUTES) if p]
    if problems:
        return failed(f"WebSocket API {aws.names.api} is missing its connection routes: {'; '.join(problems)}.",
                      hint="Each route needs Target integrations/<integration id>.")
    return passed(f"WebSocket API {aws.names.api} has $connect and $disconnect routes with integrations.")


def custom_route(aws):
    api, route = the_api(aws), aws.names.route
    if api is None:
        return no_api(aws, f"{route} route")
    routes, integrations = routes_and_integrations(aws, api["ApiId"])
    problem = route_problem(route, routes, integrations)
    if problem:
        near = [k for k in routes if k.lower() == route.lower() and k != route]
        also = f" (found {near[0]}: route keys are case-sensitive)" if near else ""
        return failed(f"WebSocket API {aws.names.api} has no working custom route: {problem}{also}.")
    return passed(f"WebSocket API {aws.names.api} routes action {route} to an integration.")


def stage_deployed(aws):
    api, stage = the_api(aws), aws.names.stage
    if api is None:
        return no_api(aws, f"stage {stage}")
    stages = {s["StageName"]: s for s in aws.apigatewayv2.get_stages(ApiId=api["ApiId"])["Items"]}
    found = stages.get(stage)
    if found is None:
        others = ", ".join(sorted(stages)) or "none"
        return failed(f"WebSocket API {aws.names.api} has no stage {stage} (stages: {others}).")
    if found.get("AutoDeploy"):
        return passed(f"Stage {stage} of {aws.names.api} deploys every change automatically.")
    if found.get("DeploymentId"):
        return passed(f"Stage {stage} of {aws.names.api} serves deployment {found['DeploymentId']}.")
    return failed(f"Stage {stage} of {aws.names.api} has neither AutoDeploy nor a deployment, so it serves nothing; "
                  "turn AutoDeploy on.")
