"""Near-misses and alternatives for apigw-rest-stages."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.apigw_rest_stages import find_api, solve


def api_with_get(aws, path_part="items", method="GET", integrate=True) -> str:
    apigateway = aws.apigateway
    api_id = apigateway.create_rest_api(name=aws.names.api)["id"]
    root = apigateway.get_resources(restApiId=api_id)["items"][0]["id"]
    resource = apigateway.create_resource(restApiId=api_id, parentId=root, pathPart=path_part)["id"]
    apigateway.put_method(restApiId=api_id, resourceId=resource, httpMethod=method, authorizationType="NONE")
    if integrate:
        apigateway.put_integration(restApiId=api_id, resourceId=resource, httpMethod=method, type="MOCK",
                                   requestTemplates={"application/json": '{"statusCode": 200}'})
    return api_id


def deploy(aws, api_id, stage, variables):
    aws.apigateway.create_deployment(restApiId=api_id, stageName=stage, variables=variables)


def both_stages(aws, api_id):
    deploy(aws, api_id, "dev", {aws.names.variable: aws.names.dev_table})
    deploy(aws, api_id, "prod", {aws.names.variable: aws.names.prod_table})


def only_dev(aws):
    deploy(aws, api_with_get(aws), "dev", {aws.names.variable: aws.names.dev_table})


def no_variables(aws):
    api_id = api_with_get(aws)
    deploy(aws, api_id, "dev", {})
    deploy(aws, api_id, "prod", {})


def prod_uses_dev_table(aws):
    api_id = api_with_get(aws)
    deploy(aws, api_id, "dev", {aws.names.variable: aws.names.dev_table})
    deploy(aws, api_id, "prod", {aws.names.variable: aws.names.dev_table})


def variable_wrong_case(aws):
    api_id = api_with_get(aws)
    deploy(aws, api_id, "dev", {"tablename": aws.names.dev_table})
    deploy(aws, api_id, "prod", {"tablename": aws.names.prod_table})


def without_integration(aws):
    api_with_get(aws, integrate=False)  # deploying it fails: AWS refuses a method with no integration


def post_not_get(aws):
    both_stages(aws, api_with_get(aws, method="POST"))


def singular_path(aws):
    both_stages(aws, api_with_get(aws, path_part="item"))


def created_twice(aws):
    solve(aws)
    aws.apigateway.create_rest_api(name=aws.names.api)


NEAR_MISSES = [
    NearMiss("one stage only", step=4, expect="has no stage prod", apply=only_dev),
    NearMiss("stage variables missing", step=3, expect="has no stage variable tableName", apply=no_variables),
    NearMiss("prod points at the dev table", step=4, expect="expected items-prod", apply=prod_uses_dev_table),
    NearMiss("variable name in the wrong case", step=3, expect="has no stage variable", apply=variable_wrong_case),
    NearMiss("method without integration", step=2, expect="has no integration", apply=without_integration),
    NearMiss("POST instead of GET", step=2, expect="not a GET method", apply=post_not_get),
    NearMiss("/item instead of /items", step=2, expect="no /items resource", apply=singular_path),
    NearMiss("API created twice", step=1, expect="expected exactly one", apply=created_twice),
]


def cli(aws, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "awscli", "apigateway", *args, "--output", "json"],
                          env=aws.learner_env(), check=True, capture_output=True, text=True)
    return json.loads(done.stdout or "{}")


def aws_cli(aws):
    """The learner's shell: the AWS CLI, create-deployment creating each stage."""
    names = aws.names
    api_id = cli(aws, "create-rest-api", "--name", names.api)["id"]
    root = cli(aws, "get-resources", "--rest-api-id", api_id)["items"][0]["id"]
    resource = cli(aws, "create-resource", "--rest-api-id", api_id, "--parent-id", root, "--path-part", "items")["id"]
    target = ["--rest-api-id", api_id, "--resource-id", resource, "--http-method", "GET"]
    cli(aws, "put-method", *target, "--authorization-type", "NONE")
    cli(aws, "put-integration", *target, "--type", "MOCK", "--request-templates",
        '{"application/json": "{\\"statusCode\\": 200}"}')
    cli(aws, "put-method-response", *target, "--status-code", "200")
    cli(aws, "put-integration-response", *target, "--status-code", "200")
    for stage, table in (("dev", names.dev_table), ("prod", names.prod_table)):
        cli(aws, "create-deployment", "--rest-api-id", api_id, "--stage-name", stage,
            "--variables", f"{names.variable}={table}")


def http_integration_and_update_stage(aws):
    """An HTTP proxy integration using the variable; prod made empty first, its variable added by update_stage."""
    apigateway, names = aws.apigateway, aws.names
    api_id = apigateway.create_rest_api(name=names.api, endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = apigateway.get_resources(restApiId=api_id)["items"][0]["id"]
    resource = apigateway.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    apigateway.put_method(restApiId=api_id, resourceId=resource, httpMethod="GET", authorizationType="NONE")
    apigateway.put_integration(restApiId=api_id, resourceId=resource, httpMethod="GET", type="HTTP_PROXY",
                               integrationHttpMethod="GET",
                               uri="http://backend.internal/${stageVariables.tableName}/items")
    deployment = apigateway.create_deployment(restApiId=api_id)["id"]
    apigateway.create_stage(restApiId=api_id, stageName="dev", deploymentId=deployment,
                            variables={names.variable: names.dev_table})
    apigateway.create_stage(restApiId=api_id, stageName="prod", deploymentId=deployment)
    apigateway.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": f"/variables/{names.variable}", "value": names.prod_table}])
    assert find_api(apigateway, names.api) == api_id


ALTERNATIVES = [
    Alternative("AWS CLI, stages made by create-deployment", apply=aws_cli),
    Alternative("HTTP proxy integration, prod variable set by update_stage", apply=http_integration_and_update_stage),
]

test_near_miss = near_miss_test("apigw-rest-stages", NEAR_MISSES)
test_alternative = alternative_test("apigw-rest-stages", ALTERNATIVES)
