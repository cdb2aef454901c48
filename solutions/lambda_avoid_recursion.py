"""Reference solution: a prefix-filtered S3 trigger and a function that writes to a second bucket."""

import io
import json
import zipfile

# The destination comes from configuration, so the code cannot drift back into the input folder.
HANDLER_SOURCE = '''\
import os
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    bucket, prefix = os.environ["OUTPUT_BUCKET"], os.environ.get("OUTPUT_PREFIX", "")
    written = []
    for record in event["Records"]:
        source = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])  # S3 sends keys URL-encoded
        body = s3.get_object(Bucket=source, Key=key)["Body"].read()
        target = prefix + key.rsplit("/", 1)[-1]
        s3.put_object(Bucket=bucket, Key=target, Body=body.upper())
        written.append(f"s3://{bucket}/{target}")
    return {"written": written}
'''

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def role_arn(iam, name) -> str:
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]


def deploy(awslambda, name, role, code: bytes, variables: dict) -> str:
    try:
        awslambda.update_function_code(FunctionName=name, ZipFile=code)
        awslambda.get_waiter("function_updated_v2").wait(FunctionName=name)
        return awslambda.update_function_configuration(FunctionName=name,
                                                       Environment={"Variables": variables})["FunctionArn"]
    except awslambda.exceptions.ResourceNotFoundException:
        arn = awslambda.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                                        Code={"ZipFile": code}, Environment={"Variables": variables},
                                        Timeout=30)["FunctionArn"]
        awslambda.get_waiter("function_active_v2").wait(FunctionName=name)
        return arn


def allow_s3(awslambda, name, bucket, account_id):
    try:
        awslambda.remove_permission(FunctionName=name, StatementId="s3-invoke")
    except awslambda.exceptions.ResourceNotFoundException:
        pass
    # SourceAccount guards against a bucket of the same name in someone else's account.
    awslambda.add_permission(FunctionName=name, StatementId="s3-invoke", Action="lambda:InvokeFunction",
                             Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}",
                             SourceAccount=account_id)


def solve(aws):
    names, s3, awslambda = aws.names, aws.s3, aws.client("lambda")
    for bucket in (names.bucket, names.output_bucket):
        s3.create_bucket(Bucket=bucket)
    role = role_arn(aws.iam, names.role)
    arn = deploy(awslambda, names.function, role, zipped(HANDLER_SOURCE), {"OUTPUT_BUCKET": names.output_bucket})
    allow_s3(awslambda, names.function, names.bucket, aws.account_id)
    s3.put_bucket_notification_configuration(Bucket=names.bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "Id": "process-uploads", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": names.prefix}]}},
        }]})
    # Loop detection stays at its default (Terminate): nothing to call, and moto would answer 404 anyway.
