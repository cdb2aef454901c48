"""Reference solution: a fresh deployment to prod (it snapshots GET /orders), then prod's own table."""


def api_id_of(apigateway, name) -> str:
    return next(a["id"] for a in apigateway.get_rest_apis(limit=500)["items"] if a["name"] == name)


def solve(aws):
    names, apigateway = aws.names, aws.apigateway
    api_id = api_id_of(apigateway, names.api)
    # Editing an API changes nothing callers see: a deployment snapshots the API as it is now, and
    # stageName points prod at that snapshot.  Running this twice only makes one more snapshot.
    apigateway.create_deployment(restApiId=api_id, stageName="prod", description="release 3: GET /orders on prod")
    # Stage variables belong to the stage, not to the deployment: set prod's after deploying, because
    # some backends rebuild the stage (and forget its variables) when a deployment names it.
    apigateway.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": f"/variables/{names.variable}", "value": names.prod_table}])
