"""Near-misses and alternatives for apigw-websocket."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.apigw_websocket import solve

LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:{account}:function:{name}/invocations")


def build(aws, *, protocol="WEBSOCKET", selection=None, routes=None, target=True, auto_deploy=True, stage=True):
    v2, names = aws.apigatewayv2, aws.names
    params = dict(Name=names.api, ProtocolType=protocol)
    params["RouteSelectionExpression"] = selection or (names.selection if protocol == "WEBSOCKET" else
                                                       "$request.method $request.path")
    api_id = v2.create_api(**params)["ApiId"]
    integration = v2.create_integration(ApiId=api_id, IntegrationType="MOCK")["IntegrationId"]
    for key in routes if routes is not None else ("$connect", "$disconnect", names.route):
        extra = {"Target": f"integrations/{integration}"} if target else {}
        v2.create_route(ApiId=api_id, RouteKey=key, **extra)
    if stage:
        v2.create_stage(ApiId=api_id, StageName=names.stage, AutoDeploy=auto_deploy)
    return api_id


def broken(**changes):
    return lambda aws: build(aws, **changes)


def target_nowhere(aws):
    api_id = build(aws, routes=("$connect", "$disconnect"))
    aws.apigatewayv2.create_route(ApiId=api_id, RouteKey=aws.names.route, Target="integrations/abc1234")


NEAR_MISSES = [
    NearMiss("HTTP API", step=1, expect="expected a WEBSOCKET API", apply=broken(protocol="HTTP")),
    NearMiss("selects on another field", step=1, expect="routes on $request.body.type",
             apply=broken(selection="$request.body.type")),
    NearMiss("no $disconnect", step=2, expect="there is no route $disconnect",
             apply=lambda aws: build(aws, routes=("$connect", aws.names.route))),
    NearMiss("routes without targets", step=2, expect="has no target", apply=broken(target=False)),
    NearMiss("custom route in lower case", step=3, expect="route keys are case-sensitive",
             apply=lambda aws: build(aws, routes=("$connect", "$disconnect", "sendmessage"))),
    NearMiss("custom route targets nothing real", step=3, expect="not an integration of the API",
             apply=target_nowhere),
    NearMiss("no stage", step=4, expect="has no stage production", apply=broken(stage=False)),
    NearMiss("stage without auto-deploy", step=4, expect="neither AutoDeploy nor a deployment",
             apply=broken(auto_deploy=False)),
]


def cli(aws, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "awscli", "apigatewayv2", *args, "--output", "json"],
                          env=aws.learner_env(), check=True, capture_output=True, text=True)
    return json.loads(done.stdout or "{}")


def aws_cli(aws):
    """The learner's shell: one Lambda proxy integration per route, stage made first."""
    names = aws.names
    api_id = cli(aws, "create-api", "--name", names.api, "--protocol-type", "WEBSOCKET",
                 "--route-selection-expression", names.selection)["ApiId"]
    cli(aws, "create-stage", "--api-id", api_id, "--stage-name", names.stage, "--auto-deploy")
    for key, function in (("$connect", "on-connect"), ("$disconnect", "on-disconnect"), (names.route, "send")):
        uri = LAMBDA_URI.format(account=aws.account_id, name=function)
        integration = cli(aws, "create-integration", "--api-id", api_id, "--integration-type", "AWS_PROXY",
                          "--integration-uri", uri)["IntegrationId"]
        cli(aws, "create-route", "--api-id", api_id, "--route-key", key, "--target", f"integrations/{integration}")


def with_default_route(aws):
    """The reference plus a $default route and an extra stage: more is fine."""
    solve(aws)
    api_id = next(a["ApiId"] for a in aws.apigatewayv2.get_apis()["Items"] if a["Name"] == aws.names.api)
    aws.apigatewayv2.create_route(ApiId=api_id, RouteKey="$default")
    aws.apigatewayv2.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)


ALTERNATIVES = [
    Alternative("AWS CLI, a Lambda integration per route", apply=aws_cli),
    Alternative("extra $default route and dev stage", apply=with_default_route),
]

test_near_miss = near_miss_test("apigw-websocket", NEAR_MISSES)
test_alternative = alternative_test("apigw-websocket", ALTERNATIVES)
