"""Near-misses and alternatives for apigw-method-request-response."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test

SCHEMA = json.dumps({"type": "array", "items": {"type": "object"}})


def build(aws, *, parameters=None, key_required=True, validator=True, validate_params=True, attach=True,
          model=True, declare_header=True, mapping="'mock-1'"):
    """The learner's setup in one call; each keyword breaks one thing."""
    apigateway, names = aws.apigateway, aws.names
    header = f"method.response.header.{names.header}"
    api_id = apigateway.create_rest_api(name=names.api)["id"]
    root = apigateway.get_resources(restApiId=api_id)["items"][0]["id"]
    resource = apigateway.create_resource(restApiId=api_id, parentId=root, pathPart="orders")["id"]
    method = dict(authorizationType="NONE", apiKeyRequired=key_required, requestParameters=(
        parameters if parameters is not None else {f"method.request.querystring.{names.query}": True}))
    if validator:
        made = apigateway.create_request_validator(restApiId=api_id, name=names.validator,
                                                   validateRequestParameters=validate_params,
                                                   validateRequestBody=not validate_params)
        if attach:
            method["requestValidatorId"] = made["id"]
    if model:
        apigateway.create_model(restApiId=api_id, name=names.model, contentType="application/json", schema=SCHEMA)
    target = dict(restApiId=api_id, resourceId=resource, httpMethod="GET")
    apigateway.put_method(**target, **method)
    apigateway.put_integration(**target, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    apigateway.put_method_response(**target, statusCode="200",
                                   responseModels={"application/json": names.model} if model else {},
                                   responseParameters={header: True} if declare_header else {})
    apigateway.put_integration_response(**target, statusCode="200",
                                        responseParameters={header: mapping} if mapping else {})


def broken(**changes):
    return lambda aws: build(aws, **changes)


NEAR_MISSES = [
    NearMiss("query string optional", step=2, expect="as optional instead of required",
             apply=lambda aws: build(aws, parameters={f"method.request.querystring.{aws.names.query}": False})),
    NearMiss("header instead of query string", step=2, expect="found method.request.header.customerId",
             apply=lambda aws: build(aws, parameters={f"method.request.header.{aws.names.query}": True})),
    NearMiss("no API key required", step=2, expect="does not require an API key", apply=broken(key_required=False)),
    NearMiss("no validator", step=3, expect="no request validator attached", apply=broken(validator=False)),
    NearMiss("validator created, not attached", step=3, expect="but the method does not use it",
             apply=broken(attach=False)),
    NearMiss("validator checks the body only", step=3, expect="does not validate request parameters",
             apply=broken(validate_params=False)),
    NearMiss("method response without model", step=4, expect="model is not set", apply=broken(model=False)),
    NearMiss("header not declared", step=4, expect="does not declare the header", apply=broken(declare_header=False)),
    NearMiss("header not mapped", step=5, expect="maps nothing into", apply=broken(mapping=None)),
]


def cli(aws, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "awscli", "apigateway", *args, "--output", "json"],
                          env=aws.learner_env(), check=True, capture_output=True, text=True)
    return json.loads(done.stdout or "{}")


def aws_cli(aws):
    """The learner's shell, with a validator that checks body and parameters and a backend-header mapping."""
    names = aws.names
    header = f"method.response.header.{names.header}"
    api_id = cli(aws, "create-rest-api", "--name", names.api)["id"]
    root = cli(aws, "get-resources", "--rest-api-id", api_id)["items"][0]["id"]
    resource = cli(aws, "create-resource", "--rest-api-id", api_id, "--parent-id", root, "--path-part", "orders")["id"]
    validator = cli(aws, "create-request-validator", "--rest-api-id", api_id, "--name", names.validator,
                    "--validate-request-parameters", "--validate-request-body")["id"]
    cli(aws, "create-model", "--rest-api-id", api_id, "--name", names.model, "--content-type", "application/json",
        "--schema", SCHEMA)
    target = ["--rest-api-id", api_id, "--resource-id", resource, "--http-method", "GET"]
    cli(aws, "put-method", *target, "--authorization-type", "NONE", "--api-key-required",
        "--request-validator-id", validator, "--request-parameters", f"method.request.querystring.{names.query}=true")
    cli(aws, "put-integration", *target, "--type", "MOCK", "--request-templates",
        '{"application/json": "{\\"statusCode\\": 200}"}')
    cli(aws, "put-method-response", *target, "--status-code", "200", "--response-models",
        f"application/json={names.model}", "--response-parameters", f"{header}=false")
    cli(aws, "put-integration-response", *target, "--status-code", "200", "--response-parameters",
        json.dumps({header: "integration.response.header.x-request-id"}))


ALTERNATIVES = [
    Alternative("AWS CLI, body and parameter validator", apply=aws_cli),
    Alternative("static header value", apply=broken(mapping="'mock-1'")),
]

test_near_miss = near_miss_test("apigw-method-request-response", NEAR_MISSES)
test_alternative = alternative_test("apigw-method-request-response", ALTERNATIVES)
