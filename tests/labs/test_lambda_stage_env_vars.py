"""Near-misses and alternatives for lambda-stage-env-vars."""

import json
import os
import subprocess
import sys

from labrunner.catalog import load
from labrunner.grading import Status
from labrunner.proof import prove_reference_passes
from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.lambda_stage_env_vars import HANDLER_SOURCE, ensure_table, release, role_arn, solve, zipped

HARD_CODED = HANDLER_SOURCE.replace('os.environ["TABLE_NAME"]', '"lab-orders-dev"')
NO_RETURN_ID = HANDLER_SOURCE.replace('event["id"]', '"fixed-id"')


def deployed_function(aws, source=HANDLER_SOURCE):
    names, awslambda = aws.names, aws.client("lambda")
    ensure_table(aws.dynamodb, names.dev_table)
    ensure_table(aws.dynamodb, names.prod_table)
    awslambda.create_function(FunctionName=names.function, Runtime="python3.12", Handler="app.handler",
                              Role=role_arn(aws.iam, names.role), Code={"ZipFile": zipped(source)},
                              Environment={"Variables": {names.variable: names.dev_table}})
    return names, awslambda


def aliases_on_latest(aws):
    names, awslambda = deployed_function(aws)
    awslambda.create_alias(FunctionName=names.function, Name="dev", FunctionVersion="$LATEST")
    awslambda.create_alias(FunctionName=names.function, Name="prod", FunctionVersion="$LATEST")


def hard_coded_table(aws):
    names, awslambda = deployed_function(aws, HARD_CODED)
    release(awslambda, names.function, "dev", {names.variable: names.dev_table})
    release(awslambda, names.function, "prod", {names.variable: names.prod_table})


def one_version_for_both(aws):
    names, awslambda = deployed_function(aws)
    version = awslambda.publish_version(FunctionName=names.function)["Version"]
    awslambda.create_alias(FunctionName=names.function, Name="dev", FunctionVersion=version)
    awslambda.create_alias(FunctionName=names.function, Name="prod", FunctionVersion=version)


def no_prod_alias(aws):
    names, awslambda = deployed_function(aws)
    release(awslambda, names.function, "dev", {names.variable: names.dev_table})


def wrong_variable_name(aws):
    names, awslambda = deployed_function(aws)
    release(awslambda, names.function, "dev", {"TABLE": names.dev_table})
    release(awslambda, names.function, "prod", {"TABLE": names.prod_table})


def aliases_swapped(aws):
    names, awslambda = deployed_function(aws)
    release(awslambda, names.function, "prod", {names.variable: names.dev_table})
    release(awslambda, names.function, "dev", {names.variable: names.prod_table})


def ignores_the_event(aws):
    names, awslambda = deployed_function(aws, NO_RETURN_ID)
    release(awslambda, names.function, "dev", {names.variable: names.dev_table})
    release(awslambda, names.function, "prod", {names.variable: names.prod_table})


def no_prod_table(aws):
    solve(aws)
    aws.dynamodb.delete_table(TableName=aws.names.prod_table)


NEAR_MISSES = [
    NearMiss("both aliases on $LATEST", step=3, expect="points at $LATEST", apply=aliases_on_latest),
    NearMiss("table name hard-coded", step=5, expect="alias prod with id", apply=hard_coded_table),
    NearMiss("one version behind both aliases", step=4, expect="expected lab-orders-prod", apply=one_version_for_both),
    NearMiss("no prod alias", step=4, expect="has no alias prod", apply=no_prod_alias),
    NearMiss("variable under another name", step=3, expect="no environment variable TABLE_NAME",
             apply=wrong_variable_name),
    NearMiss("aliases swapped", step=3, expect="expected lab-orders-dev", apply=aliases_swapped),
    NearMiss("handler ignores the event", step=5, expect="wrote to neither table", apply=ignores_the_event),
    NearMiss("prod table missing", step=1, expect="lab-orders-prod do not exist", apply=no_prod_table),
]


def cli(aws, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "awscli", *args, "--output", "json"], env=aws.learner_env(),
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout or "{}")


def aws_cli(aws):
    """The learner's shell: a zip file on disk, environment set at create, a version published with it."""
    names = aws.names
    folder = os.path.join(os.environ["LABS_STATE_DIR"], f"cli-{aws.account_id}")
    os.makedirs(folder, exist_ok=True)
    zip_path = os.path.join(folder, "function.zip")
    with open(zip_path, "wb") as handle:
        handle.write(zipped(HANDLER_SOURCE))
    for table in (names.dev_table, names.prod_table):
        cli(aws, "dynamodb", "create-table", "--table-name", table, "--billing-mode", "PAY_PER_REQUEST",
            "--key-schema", "AttributeName=id,KeyType=HASH", "--attribute-definitions", "AttributeName=id,AttributeType=S")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                "Principal": {"Service": "lambda.amazonaws.com"}}]})
    role = cli(aws, "iam", "create-role", "--role-name", names.role, "--assume-role-policy-document", trust)["Role"]["Arn"]
    first = cli(aws, "lambda", "create-function", "--function-name", names.function, "--runtime", "python3.11",
                "--handler", "app.handler", "--role", role, "--zip-file", f"fileb://{zip_path}", "--publish",
                "--environment", f"Variables={{{names.variable}={names.dev_table}}}")
    cli(aws, "lambda", "create-alias", "--function-name", names.function, "--name", "dev",
        "--function-version", first["Version"])
    cli(aws, "lambda", "update-function-configuration", "--function-name", names.function, "--environment",
        f"Variables={{{names.variable}={names.prod_table}}}")
    second = cli(aws, "lambda", "publish-version", "--function-name", names.function)["Version"]
    cli(aws, "lambda", "create-alias", "--function-name", names.function, "--name", "prod",
        "--function-version", second)


ALTERNATIVES = [
    Alternative("AWS CLI, dev version published at create", apply=aws_cli),
]

test_near_miss = near_miss_test("lambda-stage-env-vars", NEAR_MISSES)
test_alternative = alternative_test("lambda-stage-env-vars", ALTERNATIVES)


RUNS_HANDLERS = ("lambda_code", "lambda_execution")


def test_the_behaviour_step_really_runs_where_handlers_run(emulator):
    """The reference must pass step 5 itself wherever the backend runs handlers, not only be excused from it."""
    outcome = prove_reference_passes(load().get("lambda-stage-env-vars"), emulator)
    step = outcome.result.steps[4]
    runs = any(emulator.serves(feature) for feature in RUNS_HANDLERS)
    expected = Status.PASS if runs else Status.NOT_VERIFIABLE
    assert step.status is expected, f"expected {expected.value} on {emulator.name}, found: {step.message}"
