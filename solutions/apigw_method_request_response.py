"""Reference solution: a method request that demands a parameter and a key, and a declared, mapped response."""

import json

ORDER_LIST_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "OrderList",
    "type": "array",
    "items": {"type": "object", "properties": {"orderId": {"type": "string"}, "total": {"type": "number"}}},
}


def find_api(apigateway, name):
    return next((a["id"] for a in apigateway.get_rest_apis(limit=500)["items"] if a["name"] == name), None)


def orders_resource(apigateway, api_id) -> dict:
    resources = apigateway.get_resources(restApiId=api_id, embed=["methods"])["items"]
    existing = next((r for r in resources if r["path"] == "/orders"), None)
    if existing:
        return existing
    root = next(r["id"] for r in resources if r["path"] == "/")
    return apigateway.create_resource(restApiId=api_id, parentId=root, pathPart="orders")


def validator_id(apigateway, api_id, name) -> str:
    for validator in apigateway.get_request_validators(restApiId=api_id)["items"]:
        if validator["name"] == name:
            return validator["id"]
    # Parameters only: a GET has no body to validate.
    return apigateway.create_request_validator(restApiId=api_id, name=name, validateRequestParameters=True,
                                               validateRequestBody=False)["id"]


def ensure_model(apigateway, api_id, name):
    if not any(m["name"] == name for m in apigateway.get_models(restApiId=api_id)["items"]):
        apigateway.create_model(restApiId=api_id, name=name, contentType="application/json",
                                schema=json.dumps(ORDER_LIST_SCHEMA))


def solve(aws):
    apigateway, names = aws.apigateway, aws.names
    api_id = find_api(apigateway, names.api) or apigateway.create_rest_api(name=names.api)["id"]
    resource = orders_resource(apigateway, api_id)
    validator = validator_id(apigateway, api_id, names.validator)
    ensure_model(apigateway, api_id, names.model)

    target = dict(restApiId=api_id, resourceId=resource["id"], httpMethod="GET")
    if "GET" in resource.get("resourceMethods", {}):
        apigateway.delete_method(**target)  # moto has no update_method: rebuild the method whole
    # True marks the query string as required; the validator is what enforces it.
    apigateway.put_method(**target, authorizationType="NONE", apiKeyRequired=True, requestValidatorId=validator,
                          requestParameters={f"method.request.querystring.{names.query}": True})
    apigateway.put_integration(**target, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    header = f"method.response.header.{names.header}"
    # The method response declares the header; only then can the integration response fill it.
    apigateway.put_method_response(**target, statusCode="200", responseModels={"application/json": names.model},
                                   responseParameters={header: True})
    apigateway.put_integration_response(**target, statusCode="200", responseParameters={header: "context.requestId"},
                                        responseTemplates={"application/json": '[{"orderId": "o-1", "total": 12.5}]'})
