"""Checker for apigw-method-request-response: method request, validator, method and integration responses."""

from labrunner.grading import failed, passed, steps


def check(aws):
    yield from steps(aws, method_exists, method_request, validator_attached, method_response, integration_mapping)


def find_api(aws) -> list[dict]:
    return [a for a in aws.apigateway.get_rest_apis(limit=500)["items"] if a["name"] == aws.names.api]


def get_orders(aws) -> tuple[str | None, dict | None, str]:
    """(api id, the GET /orders method, a sentence on what is missing)."""
    apis, name = find_api(aws), aws.names.api
    if len(apis) != 1:
        return None, None, (f"REST API {name} does not exist yet" if not apis else
                            f"there are {len(apis)} REST APIs named {name}, expected exactly one")
    api_id = apis[0]["id"]
    resources = aws.apigateway.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    resource = next((r for r in resources if r["path"] == "/orders"), None)
    if resource is None:
        return api_id, None, f"REST API {name} has no /orders resource"
    method = resource.get("resourceMethods", {}).get("GET")
    if method is None:
        return api_id, None, f"resource /orders of {name} has no GET method"
    return api_id, method, ""


def missing(sentence: str):
    return failed(f"{sentence[0].upper()}{sentence[1:]}, so this step cannot be checked yet.")


def method_exists(aws):
    _, method, problem = get_orders(aws)
    if method is None:
        return failed(f"{problem[0].upper()}{problem[1:]}; create the API, the resource and GET /orders.")
    if not method.get("methodIntegration"):
        return failed(f"GET /orders of {aws.names.api} has no integration; add a MOCK integration.")
    return passed(f"GET /orders of {aws.names.api} exists with a {method['methodIntegration'].get('type')} "
                  "integration.")


def method_request(aws):
    _, method, problem = get_orders(aws)
    if method is None:
        return missing(problem)
    query = aws.names.query
    parameters = method.get("requestParameters") or {}
    key = f"method.request.querystring.{query}"
    problems = []
    if key not in parameters:
        elsewhere = [k for k in parameters if k.endswith(f".{query}")]
        found = f" (found {elsewhere[0]})" if elsewhere else ""
        problems.append(f"it does not declare the query string {key}{found}")
    elif parameters[key] is not True:
        problems.append(f"it declares {key} as optional instead of required")
    if not method.get("apiKeyRequired"):
        problems.append("it does not require an API key (apiKeyRequired is false)")
    if problems:
        return failed(f"The method request of GET /orders is not right: {'; '.join(problems)}.")
    return passed(f"GET /orders requires the query string {query} and an API key.")


def validator_attached(aws):
    api_id, method, problem = get_orders(aws)
    if method is None:
        return missing(problem)
    validators = {v["id"]: v for v in aws.apigateway.get_request_validators(restApiId=api_id)["items"]}
    attached = validators.get(method.get("requestValidatorId") or "")
    if attached is None:
        created = ", ".join(v["name"] for v in validators.values())
        made = f" (the API has {created}, but the method does not use it)" if created else ""
        return failed(f"GET /orders has no request validator attached{made}; set requestValidatorId.",
                      hint="Without a validator a required parameter is not enforced.")
    if not attached.get("validateRequestParameters"):
        return failed(f"Request validator {attached['name']} on GET /orders does not validate request parameters, "
                      f"so a request without {aws.names.query} still passes.")
    return passed(f"GET /orders validates its request parameters with {attached['name']}.")


def method_response(aws):
    api_id, method, problem = get_orders(aws)
    if method is None:
        return missing(problem)
    names = aws.names
    response = (method.get("methodResponses") or {}).get("200")
    if response is None:
        return failed("GET /orders declares no 200 method response.")
    models = {m["name"] for m in aws.apigateway.get_models(restApiId=api_id)["items"]}
    used = (response.get("responseModels") or {}).get("application/json")
    problems = []
    if used != names.model:
        problems.append(f"its application/json model is {used or 'not set'} instead of {names.model}")
    elif names.model not in models:
        problems.append(f"the model {names.model} does not exist in the API")
    if f"method.response.header.{names.header}" not in (response.get("responseParameters") or {}):
        problems.append(f"it does not declare the header method.response.header.{names.header}")
    if problems:
        return failed(f"The 200 method response of GET /orders is not right: {'; '.join(problems)}.")
    return passed(f"The 200 method response of GET /orders uses the model {names.model} and declares "
                  f"the header {names.header}.")


def integration_mapping(aws):
    _, method, problem = get_orders(aws)
    if method is None:
        return missing(problem)
    header = f"method.response.header.{aws.names.header}"
    responses = (method.get("methodIntegration") or {}).get("integrationResponses") or {}
    ok = [r for r in responses.values() if r.get("statusCode") == "200"]
    if not ok:
        return failed("The integration of GET /orders has no integration response for status 200.")
    mapped = next((r["responseParameters"][header] for r in ok if header in (r.get("responseParameters") or {})),
                  None)
    if not mapped:
        return failed(f"The 200 integration response of GET /orders maps nothing into {header}; map a static "
                      "value, a context variable or a backend header into it.")
    return passed(f"The 200 integration response of GET /orders maps {mapped} into {header}.")
