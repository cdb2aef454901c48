"""Reference solution: an in-place EC2 deployment from S3, and a canary Lambda deployment group."""

import io
import json
import zipfile

from botocore.exceptions import ClientError

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "codedeploy.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
SERVICE_POLICY = "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole"

APPSPEC = """version: 0.0
os: linux
files:
  - source: /index.html
    destination: /var/www/html
hooks:
  ApplicationStart:
    - location: scripts/start.sh
      timeout: 60
"""


def revision_zip() -> bytes:
    """appspec.yml sits at the bundle's root: that is where the agent looks for it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("appspec.yml", APPSPEC)
        archive.writestr("index.html", "<h1>lab web</h1>\n")
        archive.writestr("scripts/start.sh", "#!/bin/sh\nsystemctl restart httpd\n")
    return buffer.getvalue()


def ensure_role(aws) -> str:
    name = aws.names.role
    try:
        arn = aws.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
        arn = aws.iam.get_role(RoleName=name)["Role"]["Arn"]
    aws.iam.attach_role_policy(RoleName=name, PolicyArn=SERVICE_POLICY)
    return arn


def ignore_existing(call, **kwargs) -> None:
    try:
        call(**kwargs)
    except ClientError as exc:
        if "AlreadyExists" not in exc.response["Error"]["Code"]:
            raise


def ec2_group(aws, role_arn: str) -> None:
    names = aws.names
    ignore_existing(aws.codedeploy.create_application, applicationName=names.app, computePlatform="Server")
    # Instances are chosen by tag: new instances with the tag join the group's next deployment.
    ignore_existing(aws.codedeploy.create_deployment_group, applicationName=names.app,
                    deploymentGroupName=names.group, serviceRoleArn=role_arn,
                    deploymentConfigName="CodeDeployDefault.HalfAtATime",
                    ec2TagFilters=[{"Key": names.tag_key, "Value": names.tag_value, "Type": "KEY_AND_VALUE"}])


def lambda_group(aws, role_arn: str) -> None:
    names = aws.names
    ignore_existing(aws.codedeploy.create_application, applicationName=names.lambda_app, computePlatform="Lambda")
    # Canary: 10% of the alias's traffic moves to the new version, the rest 5 minutes later.
    ignore_existing(aws.codedeploy.create_deployment_group, applicationName=names.lambda_app,
                    deploymentGroupName=names.lambda_group, serviceRoleArn=role_arn,
                    deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes",
                    deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"})


def solve(aws):
    names = aws.names
    role_arn = ensure_role(aws)
    aws.s3.create_bucket(Bucket=names.bucket)
    aws.s3.put_object(Bucket=names.bucket, Key=names.revision_key, Body=revision_zip())
    ec2_group(aws, role_arn)
    aws.codedeploy.create_deployment(
        applicationName=names.app, deploymentGroupName=names.group,
        revision={"revisionType": "S3", "s3Location": {
            "bucket": names.bucket, "key": names.revision_key, "bundleType": "zip"}})
    lambda_group(aws, role_arn)
