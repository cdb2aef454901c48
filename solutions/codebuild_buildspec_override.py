"""Reference solution: one project, two buildspecs, the second chosen per build."""

import io
import json
import zipfile

from botocore.exceptions import ClientError

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}

BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - echo building
"""
TEST_BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - echo running the tests
"""


def source_zip(names) -> bytes:
    """Both buildspecs travel in the source: an override only names a file, it does not carry one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(names.buildspec, BUILDSPEC)
        archive.writestr(names.override, TEST_BUILDSPEC)
        archive.writestr("app.py", "print('hello')\n")
    return buffer.getvalue()


def ensure_role(aws) -> str:
    try:
        return aws.iam.create_role(RoleName=aws.names.role,
                                   AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
        return aws.iam.get_role(RoleName=aws.names.role)["Role"]["Arn"]


def ensure_project(aws, role_arn: str) -> None:
    names = aws.names
    if aws.codebuild.batch_get_projects(names=[names.project])["projects"]:
        return  # CreateProject refuses an existing name; the project must stay as it is anyway
    aws.codebuild.create_project(
        name=names.project,
        source={"type": "S3", "location": f"{names.bucket}/{names.source_key}", "buildspec": names.buildspec},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL"},
        serviceRole=role_arn,
    )


def solve(aws):
    names = aws.names
    role_arn = ensure_role(aws)
    aws.s3.create_bucket(Bucket=names.bucket)
    aws.s3.put_object(Bucket=names.bucket, Key=names.source_key, Body=source_zip(names))
    ensure_project(aws, role_arn)
    # The override lasts for this one build: the project keeps buildspec.yml for every other build.
    aws.codebuild.start_build(projectName=names.project, buildspecOverride=names.override)
