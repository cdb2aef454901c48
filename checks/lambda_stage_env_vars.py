"""Checker for lambda-stage-env-vars: tables, function, dev/prod aliases on their own versions, behaviour."""

import uuid

from labrunner.grading import failed, not_verifiable, passed, steps
from labrunner.lambda_runner import CodeUnavailable, invoke
from labrunner.lookups import fetch

STEP_NEEDS = {5: ("lambda_code",)}


def check(aws):
    yield from steps(aws, tables_exist, function_exists, dev_alias, prod_alias, aliases_touch_own_table)


def tables_exist(aws):
    wanted = (aws.names.dev_table, aws.names.prod_table)
    present = set(aws.dynamodb.list_tables()["TableNames"])
    missing = [t for t in wanted if t not in present]
    if missing:
        return failed(f"DynamoDB table(s) {', '.join(missing)} do not exist yet; create both {wanted[0]} and "
                      f"{wanted[1]}.")
    return passed(f"DynamoDB tables {wanted[0]} and {wanted[1]} exist.")


def function_exists(aws):
    name = aws.names.function
    config = fetch(aws.client("lambda").get_function_configuration, FunctionName=name)
    if config is None:
        return failed(f"Lambda function {name} does not exist yet; create it with create_function.")
    if not str(config.get("Runtime", "")).startswith("python"):
        return failed(f"Lambda function {name} uses the runtime {config.get('Runtime')}; expected a python3.x "
                      "runtime.")
    return passed(f"Lambda function {name} exists ({config['Runtime']}, handler {config.get('Handler')}).")


def alias_result(aws, alias: str, table: str):
    names, awslambda = aws.names, aws.client("lambda")
    if fetch(awslambda.get_function_configuration, FunctionName=names.function) is None:
        return failed(f"Lambda function {names.function} does not exist, so it has no alias {alias}.")
    found = fetch(awslambda.get_alias, FunctionName=names.function, Name=alias)
    if found is None:
        return failed(f"Lambda function {names.function} has no alias {alias}; create it for a published version.")
    version = found["FunctionVersion"]
    if version == "$LATEST":
        return failed(f"Alias {alias} of {names.function} points at $LATEST, the editable draft; point it at a "
                      "published version.", hint="publish_version freezes the configuration; aliases pick one.")
    config = awslambda.get_function_configuration(FunctionName=names.function, Qualifier=version)
    variables = (config.get("Environment") or {}).get("Variables") or {}
    value = variables.get(names.variable)
    if value is None:
        found_names = ", ".join(sorted(variables)) or "none"
        return failed(f"Version {version} behind alias {alias} has no environment variable {names.variable} "
                      f"(variables: {found_names}).")
    if value != table:
        return failed(f"Version {version} behind alias {alias} sets {names.variable}={value}; expected {table}.")
    return passed(f"Alias {alias} of {names.function} points at version {version} with {names.variable}={table}.")


def dev_alias(aws):
    return alias_result(aws, "dev", aws.names.dev_table)


def prod_alias(aws):
    return alias_result(aws, "prod", aws.names.prod_table)


def holds(aws, table: str, item_id: str) -> bool:
    response = fetch(aws.dynamodb.get_item, TableName=table, Key={"id": {"S": item_id}}, ConsistentRead=True)
    return bool(response and "Item" in response)


def tables_holding(aws, item_id: str) -> list[str]:
    return [t for t in (aws.names.dev_table, aws.names.prod_table) if holds(aws, t, item_id)]


def alias_behaviour(aws, alias: str, table: str) -> str | None:
    """None when invoking ``alias`` wrote only to ``table``; otherwise what went wrong."""
    item_id = f"check-{alias}-{uuid.uuid4().hex[:8]}"
    invoke(aws, aws.names.function, {"id": item_id}, qualifier=alias)
    holding = tables_holding(aws, item_id)
    if holding == [table]:
        return None
    where = " and ".join(holding) if holding else "neither table"
    return f"invoking alias {alias} with id {item_id} wrote to {where} instead of only {table}"


def aliases_touch_own_table(aws):
    names = aws.names
    if fetch(aws.client("lambda").get_alias, FunctionName=names.function, Name="dev") is None or \
            fetch(aws.client("lambda").get_alias, FunctionName=names.function, Name="prod") is None:
        return failed(f"Function {names.function} needs both aliases dev and prod before they can be invoked.")
    try:
        problems = [p for p in (alias_behaviour(aws, "dev", names.dev_table),
                                alias_behaviour(aws, "prod", names.prod_table)) if p]
    except CodeUnavailable as exc:
        return not_verifiable(f"Running {names.function} is not verifiable on {aws.backend.name}: {exc}.")
    if problems:
        return failed(f"Function {names.function} does not keep its stages apart: {'; '.join(problems)}.",
                      hint=f"Read the table name from os.environ['{names.variable}'] in the handler.")
    return passed(f"Invoking {names.function} through dev wrote only to {names.dev_table}, through prod only to "
                  f"{names.prod_table}.")
