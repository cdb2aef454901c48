"""Reference solution: one handler, two published versions with their own TABLE_NAME, two aliases."""

import io
import json
import zipfile

# The handler knows no table: the version's environment names it.
HANDLER_SOURCE = '''\
import os

import boto3

TABLE = os.environ["TABLE_NAME"]
dynamodb = boto3.client("dynamodb")  # created once per container, reused across invocations


def handler(event, context):
    dynamodb.put_item(TableName=TABLE, Item={"id": {"S": event["id"]}})
    return {"table": TABLE}
'''

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def ensure_table(dynamodb, name):
    if name not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        dynamodb.get_waiter("table_exists").wait(TableName=name)


def role_arn(iam, name) -> str:
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]


def ensure_function(awslambda, name, role, code: bytes, variables: dict):
    try:
        awslambda.get_function(FunctionName=name)
    except awslambda.exceptions.ResourceNotFoundException:
        awslambda.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                                  Code={"ZipFile": code}, Environment={"Variables": variables}, Timeout=10)
        awslambda.get_waiter("function_active_v2").wait(FunctionName=name)
        return
    awslambda.update_function_code(FunctionName=name, ZipFile=code)
    awslambda.get_waiter("function_updated_v2").wait(FunctionName=name)


def release(awslambda, name, alias, variables: dict):
    """Freeze this stage's variables into a new version, then move the alias to it."""
    awslambda.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
    awslambda.get_waiter("function_updated_v2").wait(FunctionName=name)
    version = awslambda.publish_version(FunctionName=name, Description=f"{alias} release")["Version"]
    try:
        awslambda.update_alias(FunctionName=name, Name=alias, FunctionVersion=version)
    except awslambda.exceptions.ResourceNotFoundException:
        awslambda.create_alias(FunctionName=name, Name=alias, FunctionVersion=version)


def solve(aws):
    names, awslambda = aws.names, aws.client("lambda")
    ensure_table(aws.dynamodb, names.dev_table)
    ensure_table(aws.dynamodb, names.prod_table)
    role = role_arn(aws.iam, names.role)
    ensure_function(awslambda, names.function, role, zipped(HANDLER_SOURCE), {names.variable: names.dev_table})
    release(awslambda, names.function, "dev", {names.variable: names.dev_table})
    release(awslambda, names.function, "prod", {names.variable: names.prod_table})
