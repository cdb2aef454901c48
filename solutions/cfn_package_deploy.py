"""Reference solution: what `aws cloudformation package` + `deploy` do, in boto3.

package zips the local code folder, uploads it to the artifact bucket and
rewrites the template to point at that object; deploy then creates the stack
from the rewritten template.
"""

import hashlib
import io
import zipfile

from botocore.exceptions import ClientError

# The same two files the lab text hands out (tests/labs keep them in sync).
TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Description: A Lambda function whose code is packaged from a local folder.
Resources:
  FunctionRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
  HelloFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: lab-packaged-hello
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt FunctionRole.Arn
      Code: src/
"""
HANDLER = """def handler(event, context):
    return {"message": "hello from a packaged function"}
"""
LOCAL_CODE = "Code: src/"


def code_zip() -> bytes:
    """The src/ folder as a zip; fixed timestamps keep the bytes (and the S3 key) the same every run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("app.py", date_time=(2020, 1, 1, 0, 0, 0)), HANDLER)
    return buffer.getvalue()


def packaged_template(bucket: str, key: str) -> str:
    # The local path becomes an S3 location: that rewrite is all `package` does to a template.
    return TEMPLATE.replace(LOCAL_CODE, f"Code:\n        S3Bucket: {bucket}\n        S3Key: {key}")


def stack_exists(aws, name: str) -> bool:
    try:
        stacks = aws.cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in exc.response["Error"]["Message"]:
            return False
        raise
    return any(s["StackStatus"] != "DELETE_COMPLETE" for s in stacks)


def solve(aws):
    names = aws.names
    aws.s3.create_bucket(Bucket=names.bucket)
    body = code_zip()
    key = hashlib.md5(body).hexdigest()  # like package: a content hash, so unchanged code is not re-uploaded
    aws.s3.put_object(Bucket=names.bucket, Key=key, Body=body)
    if stack_exists(aws, names.stack):
        return
    aws.cloudformation.create_stack(StackName=names.stack, TemplateBody=packaged_template(names.bucket, key),
                                    Capabilities=["CAPABILITY_IAM"])  # the template creates a role
    aws.cloudformation.get_waiter("stack_create_complete").wait(
        StackName=names.stack, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
