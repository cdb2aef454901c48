"""Reference solution: GET /items on a MOCK integration, released to dev and prod with stage variables."""

MOCK_REQUEST = {"application/json": '{"statusCode": 200}'}
# The mock echoes the stage variable, so each stage shows which table it would use.
MOCK_RESPONSE = {"application/json": '{"table": "$stageVariables.tableName"}'}


def find_api(apigateway, name):
    apis = apigateway.get_rest_apis(limit=500)["items"]
    return next((api["id"] for api in apis if api["name"] == name), None)


def items_resource(apigateway, api_id):
    resources = apigateway.get_resources(restApiId=api_id, embed=["methods"])["items"]
    existing = next((r for r in resources if r["path"] == "/items"), None)
    if existing:
        return existing
    root = next(r["id"] for r in resources if r["path"] == "/")
    return apigateway.create_resource(restApiId=api_id, parentId=root, pathPart="items")


def add_get_items(apigateway, api_id):
    resource = items_resource(apigateway, api_id)
    if "GET" in resource.get("resourceMethods", {}):
        return  # put_method on an existing method is a conflict on AWS
    target = dict(restApiId=api_id, resourceId=resource["id"], httpMethod="GET")
    apigateway.put_method(**target, authorizationType="NONE")
    apigateway.put_integration(**target, type="MOCK", requestTemplates=MOCK_REQUEST)
    apigateway.put_method_response(**target, statusCode="200")
    apigateway.put_integration_response(**target, statusCode="200", responseTemplates=MOCK_RESPONSE)


def release(apigateway, api_id, stage, variables):
    """A new snapshot of the API, and the stage pointed at it with its own variables."""
    deployment = apigateway.create_deployment(restApiId=api_id, description=f"release to {stage}")["id"]
    stages = {s["stageName"] for s in apigateway.get_stages(restApiId=api_id)["item"]}
    if stage not in stages:
        apigateway.create_stage(restApiId=api_id, stageName=stage, deploymentId=deployment, variables=variables)
        return
    patches = [{"op": "replace", "path": "/deploymentId", "value": deployment}]
    patches += [{"op": "replace", "path": f"/variables/{k}", "value": v} for k, v in variables.items()]
    apigateway.update_stage(restApiId=api_id, stageName=stage, patchOperations=patches)


def solve(aws):
    apigateway, names = aws.apigateway, aws.names
    api_id = find_api(apigateway, names.api) or apigateway.create_rest_api(name=names.api)["id"]
    add_get_items(apigateway, api_id)
    release(apigateway, api_id, "dev", {names.variable: names.dev_table})
    release(apigateway, api_id, "prod", {names.variable: names.prod_table})
