"""Near-misses and alternatives for codedeploy-deployment."""

import io
import json
import os
import subprocess
import sys
import zipfile

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.codedeploy_deployment import APPSPEC, TRUST, ensure_role, lambda_group, revision_zip, solve

LAB = "codedeploy-deployment"


def group_with(aws, app="app", **overrides):
    """Role and revision in place, then a deployment group built from ``overrides``."""
    names = aws.names
    role = ensure_role(aws)
    aws.s3.create_bucket(Bucket=names.bucket)
    aws.s3.put_object(Bucket=names.bucket, Key=names.revision_key, Body=revision_zip())
    app_name = names.app if app == "app" else names.lambda_app
    aws.codedeploy.create_application(applicationName=app_name, computePlatform="Server")
    params = dict(applicationName=app_name, deploymentGroupName=names.group, serviceRoleArn=role,
                  deploymentConfigName="CodeDeployDefault.HalfAtATime",
                  ec2TagFilters=[{"Key": names.tag_key, "Value": names.tag_value, "Type": "KEY_AND_VALUE"}])
    aws.codedeploy.create_deployment_group(**{**params, **overrides})
    return role


def deploy(aws, **location):
    names = aws.names
    s3 = {"bucket": names.bucket, "key": names.revision_key, "bundleType": "zip", **location}
    aws.codedeploy.create_deployment(applicationName=names.app, deploymentGroupName=names.group,
                                     revision={"revisionType": "S3", "s3Location": s3})


def all_but_lambda(aws, **overrides):
    group_with(aws, **overrides)
    deploy(aws)


def default_config(aws):
    group_with(aws, deploymentConfigName="CodeDeployDefault.OneAtATime")
    deploy(aws)
    lambda_group(aws, ensure_role(aws))


def wrong_tag(aws):
    group_with(aws, ec2TagFilters=[{"Key": "Name", "Value": "web", "Type": "KEY_AND_VALUE"}])
    deploy(aws)


def key_only_filter(aws):
    group_with(aws, ec2TagFilters=[{"Key": aws.names.tag_key, "Type": "KEY_ONLY"}])
    deploy(aws)


def appspec_in_a_folder(aws):
    solve(aws)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("release-1/appspec.yml", APPSPEC)
    aws.s3.put_object(Bucket=aws.names.bucket, Key=aws.names.revision_key, Body=buffer.getvalue())


def deploy_other_key(aws):
    group_with(aws)
    aws.s3.put_object(Bucket=aws.names.bucket, Key="web/latest.zip", Body=revision_zip())
    deploy(aws, key="web/latest.zip")


def tar_bundle_type(aws):
    group_with(aws)
    deploy(aws, bundleType="tar")


def no_deployment(aws):
    role = group_with(aws)
    lambda_group(aws, role)


def lambda_all_at_once(aws):
    names = aws.names
    all_but_lambda(aws)
    aws.codedeploy.create_application(applicationName=names.lambda_app, computePlatform="Lambda")
    aws.codedeploy.create_deployment_group(applicationName=names.lambda_app, deploymentGroupName=names.lambda_group,
                                           serviceRoleArn=ensure_role(aws),
                                           deploymentConfigName="CodeDeployDefault.LambdaLinear10PercentEvery1Minute")


def lambda_group_in_server_app(aws):
    names = aws.names
    all_but_lambda(aws)
    aws.codedeploy.create_application(applicationName=names.lambda_app, computePlatform="Server")
    aws.codedeploy.create_deployment_group(applicationName=names.lambda_app, deploymentGroupName=names.lambda_group,
                                           serviceRoleArn=ensure_role(aws),
                                           deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes")


def role_without_policy(aws):
    solve(aws)
    aws.iam.detach_role_policy(RoleName=aws.names.role,
                               PolicyArn="arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole")


NEAR_MISSES = [
    NearMiss("service role without permissions", step=1, expect="has no permissions", apply=role_without_policy),
    NearMiss("default OneAtATime config", step=3, expect="uses CodeDeployDefault.OneAtATime", apply=default_config),
    NearMiss("instances selected by another tag", step=3, expect="found Name=web", apply=wrong_tag),
    NearMiss("KEY_ONLY tag filter", step=3, expect="should select instances tagged", apply=key_only_filter),
    NearMiss("appspec inside a folder", step=2, expect="it sits at release-1/appspec.yml", apply=appspec_in_a_folder),
    NearMiss("deployment from another key", step=4, expect="web/latest.zip", apply=deploy_other_key),
    NearMiss("zip declared as tar", step=4, expect="bundle type tar", apply=tar_bundle_type),
    NearMiss("no deployment created", step=4, expect="has no deployment", apply=no_deployment),
    NearMiss("linear instead of canary", step=5, expect="not the canary", apply=lambda_all_at_once),
    NearMiss("Lambda group in a Server application", step=5, expect="is for Server", apply=lambda_group_in_server_app),
]


def tag_set_and_cli(aws):
    """ec2TagSet instead of ec2TagFilters, and everything through the AWS CLI."""
    env, cli, names = aws.learner_env(), [sys.executable, "-m", "awscli"], aws.names
    folder = os.path.join(os.environ["LABS_STATE_DIR"], f"cd-{aws.account_id}")
    os.makedirs(folder, exist_ok=True)
    bundle = os.path.join(folder, "release.zip")
    with open(bundle, "wb") as out:
        out.write(revision_zip())

    def run(*args):
        out = subprocess.run([*cli, *args, "--output", "json"], env=env, check=True, capture_output=True, text=True)
        return json.loads(out.stdout) if out.stdout.startswith("{") else {}

    role = run("iam", "create-role", "--role-name", names.role,
               "--assume-role-policy-document", json.dumps(TRUST))["Role"]["Arn"]
    run("iam", "attach-role-policy", "--role-name", names.role, "--policy-arn",
        "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole")
    run("s3", "mb", f"s3://{names.bucket}")
    run("s3", "cp", bundle, f"s3://{names.bucket}/{names.revision_key}")
    run("deploy", "create-application", "--application-name", names.app, "--compute-platform", "Server")
    tag_set = {"ec2TagSetList": [[{"Key": names.tag_key, "Value": names.tag_value, "Type": "KEY_AND_VALUE"}]]}
    run("deploy", "create-deployment-group", "--application-name", names.app, "--deployment-group-name", names.group,
        "--service-role-arn", role, "--deployment-config-name", "CodeDeployDefault.HalfAtATime",
        "--ec2-tag-set", json.dumps(tag_set))
    run("deploy", "create-deployment", "--application-name", names.app, "--deployment-group-name", names.group,
        "--s3-location", f"bucket={names.bucket},key={names.revision_key},bundleType=zip")
    run("deploy", "create-application", "--application-name", names.lambda_app, "--compute-platform", "Lambda")
    run("deploy", "create-deployment-group", "--application-name", names.lambda_app,
        "--deployment-group-name", names.lambda_group, "--service-role-arn", role,
        "--deployment-config-name", "CodeDeployDefault.LambdaCanary10Percent5Minutes")


ALTERNATIVES = [
    Alternative("AWS CLI with an EC2 tag set, Lambda style left to its default", apply=tag_set_and_cli),
]

test_near_miss = near_miss_test(LAB, NEAR_MISSES)
test_alternative = alternative_test(LAB, ALTERNATIVES)
