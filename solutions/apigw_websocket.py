"""Reference solution: a WebSocket API, its special and custom routes on one integration, an auto-deployed stage."""


def find_api(v2, name):
    return next((a for a in v2.get_apis()["Items"] if a["Name"] == name), None)


def mock_integration(v2, api_id) -> str:
    existing = v2.get_integrations(ApiId=api_id)["Items"]
    if existing:
        return existing[0]["IntegrationId"]
    # A MOCK answers by itself; in production this would be AWS_PROXY to a Lambda function.
    return v2.create_integration(ApiId=api_id, IntegrationType="MOCK",
                                 RequestTemplates={"$default": '{"statusCode": 200}'},
                                 TemplateSelectionExpression="\\$default")["IntegrationId"]


def solve(aws):
    v2, names = aws.apigatewayv2, aws.names
    api = find_api(v2, names.api) or v2.create_api(
        Name=names.api, ProtocolType="WEBSOCKET",
        # The value of "action" in each JSON message picks the route.
        RouteSelectionExpression=names.selection)
    api_id = api["ApiId"]
    target = f"integrations/{mock_integration(v2, api_id)}"
    existing = {r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]}
    for key in ("$connect", "$disconnect", names.route):
        if key not in existing:
            v2.create_route(ApiId=api_id, RouteKey=key, Target=target)
    if not any(s["StageName"] == names.stage for s in v2.get_stages(ApiId=api_id)["Items"]):
        # Auto-deploy: every route change goes live without a deployment (moto has no v2 CreateDeployment).
        v2.create_stage(ApiId=api_id, StageName=names.stage, AutoDeploy=True)
