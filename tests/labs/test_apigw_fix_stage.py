"""Near-misses and alternatives for apigw-fix-stage (they run on the broken stage setup seeds)."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.apigw_fix_stage import api_id_of, solve

MOCK_200 = {"application/json": '{"statusCode": 200}'}


def api(aws) -> str:
    return api_id_of(aws.apigateway, aws.names.api)


def orders_id(aws, api_id) -> str:
    return next(r["id"] for r in aws.apigateway.get_resources(restApiId=api_id)["items"] if r["path"] == "/orders")


def set_variable(aws, stage, value):
    aws.apigateway.update_stage(restApiId=api(aws), stageName=stage, patchOperations=[
        {"op": "replace", "path": f"/variables/{aws.names.variable}", "value": value}])


def put_orders_integration(aws, api_id, resource, template=MOCK_200):
    aws.apigateway.put_integration(restApiId=api_id, resourceId=resource, httpMethod="GET", type="MOCK",
                                   requestTemplates=template)
    aws.apigateway.put_integration_response(restApiId=api_id, resourceId=resource, httpMethod="GET",
                                            statusCode="200", responseTemplates={"application/json": '{"orders": []}'})


def new_stage_prod2(aws):
    aws.apigateway.create_deployment(restApiId=api(aws), stageName="prod2",
                                     variables={aws.names.variable: aws.names.prod_table})


def variable_on_dev(aws):
    aws.apigateway.create_deployment(restApiId=api(aws), stageName="prod")
    set_variable(aws, "dev", aws.names.prod_table)


def deployed_before_integration(aws):
    """Integration removed and re-added, with the deployment in between: prod's snapshot lacks it."""
    api_id = api(aws)
    resource = orders_id(aws, api_id)
    aws.apigateway.delete_integration(restApiId=api_id, resourceId=resource, httpMethod="GET")
    aws.apigateway.create_deployment(restApiId=api_id, stageName="prod")
    put_orders_integration(aws, api_id, resource)
    set_variable(aws, "prod", aws.names.prod_table)


def changed_after_deploying(aws):
    """Deployed, then edited the integration's template: the edit is not live on prod."""
    solve(aws)
    api_id = api(aws)
    put_orders_integration(aws, api_id, orders_id(aws, api_id), {"application/json": '{"statusCode": 200, "v": 2}'})


def variable_only(aws):
    set_variable(aws, "prod", aws.names.prod_table)


def both_stages_prod_table(aws):
    solve(aws)
    set_variable(aws, "dev", aws.names.prod_table)


def integration_deleted(aws):
    solve(aws)
    api_id = api(aws)
    aws.apigateway.delete_integration(restApiId=api_id, resourceId=orders_id(aws, api_id), httpMethod="GET")


NEAR_MISSES = [
    NearMiss("deployed to a new stage prod2", step=1, expect="still serves deployment", apply=new_stage_prod2),
    NearMiss("variable fixed on dev instead of prod", step=2, expect="expected table=orders-prod",
             apply=variable_on_dev),
    NearMiss("deployment made before adding the integration", step=1,
             expect="made before your latest change to GET /orders", apply=deployed_before_integration),
    NearMiss("integration changed after deploying", step=1, expect="made before your latest change",
             apply=changed_after_deploying),
    NearMiss("variable fixed, never redeployed", step=1, expect="made before GET /orders existed",
             apply=variable_only),
    NearMiss("variable never fixed", step=2, expect="sets table=orders-dev; expected table=orders-prod",
             apply=lambda aws: aws.apigateway.create_deployment(restApiId=api(aws), stageName="prod2")),
    NearMiss("dev switched to the prod table too", step=2, expect="dev must keep orders-dev",
             apply=both_stages_prod_table),
    NearMiss("integration deleted after the fix", step=1, expect="has no integration now", apply=integration_deleted),
]


def point_prod_at_dev_release(aws):
    """No new deployment: prod's deploymentId set to the one dev serves, and the variable, in one patch."""
    api_id = api(aws)
    dev = aws.apigateway.get_stage(restApiId=api_id, stageName="dev")
    aws.apigateway.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/deploymentId", "value": dev["deploymentId"]},
        {"op": "replace", "path": f"/variables/{aws.names.variable}", "value": aws.names.prod_table}])


def cli(aws, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "awscli", "apigateway", *args, "--output", "json"],
                          env=aws.learner_env(), check=True, capture_output=True, text=True)
    return json.loads(done.stdout or "{}")


def aws_cli(aws):
    """The learner's shell: one create-deployment that also sets prod's variable."""
    api_id = next(a["id"] for a in cli(aws, "get-rest-apis")["items"] if a["name"] == aws.names.api)
    cli(aws, "create-deployment", "--rest-api-id", api_id, "--stage-name", "prod", "--description", "hotfix",
        "--variables", f"{aws.names.variable}={aws.names.prod_table}")
    cli(aws, "update-stage", "--rest-api-id", api_id, "--stage-name", "prod", "--patch-operations",
        f"op=replace,path=/variables/{aws.names.variable},value={aws.names.prod_table}")


def deployment_then_stage_pointer(aws):
    """A deployment without a stage, re-made after an integration edit, then prod pointed at it."""
    api_id = api(aws)
    put_orders_integration(aws, api_id, orders_id(aws, api_id))
    deployment = aws.apigateway.create_deployment(restApiId=api_id, description="orders for prod")["id"]
    aws.apigateway.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/deploymentId", "value": deployment}])
    set_variable(aws, "prod", aws.names.prod_table)


def stage_recreated_cli(aws):
    """Solved from the lab text: prod deleted and re-created on a new stageless deployment, with its variable."""
    api_id = next(a["id"] for a in cli(aws, "get-rest-apis")["items"] if a["name"] == aws.names.api)
    cli(aws, "delete-stage", "--rest-api-id", api_id, "--stage-name", "prod")
    deployment = cli(aws, "create-deployment", "--rest-api-id", api_id, "--description", "orders release")["id"]
    cli(aws, "create-stage", "--rest-api-id", api_id, "--stage-name", "prod", "--deployment-id", deployment,
        "--variables", f"{aws.names.variable}={aws.names.prod_table}")


ALTERNATIVES = [
    Alternative("prod pointed at dev's deployment", apply=point_prod_at_dev_release),
    Alternative("AWS CLI, prod stage re-created", apply=stage_recreated_cli),
    Alternative("AWS CLI", apply=aws_cli),
    Alternative("stageless deployment after an edit, then the stage pointer", apply=deployment_then_stage_pointer),
    Alternative("prod2 first, then the reference", apply=lambda aws: (new_stage_prod2(aws), solve(aws))),
]

test_near_miss = near_miss_test("apigw-fix-stage", NEAR_MISSES)
test_alternative = alternative_test("apigw-fix-stage", ALTERNATIVES)
