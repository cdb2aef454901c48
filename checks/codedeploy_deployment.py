"""Checker for codedeploy-deployment: role, S3 revision, tagged EC2 group, deployment, canary Lambda group."""

import io
import json
import zipfile
from urllib.parse import unquote

from botocore.exceptions import ClientError

from labrunner.grading import failed, passed, steps
from labrunner.lookups import error_code, fetch

SERVICE_POLICY = "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole"
EC2_CONFIG = "CodeDeployDefault.HalfAtATime"
CANARY_CONFIG = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
ABSENT = ("ApplicationDoesNotExistException", "DeploymentGroupDoesNotExistException")


def check(aws):
    yield from steps(aws, role_trusts_codedeploy, revision_has_appspec, ec2_group_selects_by_tag,
                     deployment_from_s3, lambda_group_shifts_by_canary)


def trusted_services(role: dict) -> set:
    document = role.get("AssumeRolePolicyDocument", {})
    document = json.loads(unquote(document)) if isinstance(document, str) else document
    services = set()
    for statement in document.get("Statement", []):
        principal = statement.get("Principal") if statement.get("Effect") == "Allow" else None
        service = principal.get("Service", []) if isinstance(principal, dict) else []
        services.update([service] if isinstance(service, str) else service)
    return services


def role_trusts_codedeploy(aws):
    name = aws.names.role
    role = fetch(aws.iam.get_role, RoleName=name)
    if role is None:
        return failed(f"Role {name} does not exist; create it for codedeploy.amazonaws.com.")
    services = trusted_services(role["Role"])
    if "codedeploy.amazonaws.com" not in services:
        return failed(f"Role {name} must trust codedeploy.amazonaws.com; its trust policy names "
                      f"{', '.join(sorted(services)) or 'no service'}.")
    attached = [p["PolicyArn"] for p in aws.iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    if SERVICE_POLICY not in attached and not aws.iam.list_role_policies(RoleName=name)["PolicyNames"]:
        return failed(f"Role {name} has no permissions; attach AWSCodeDeployRole so CodeDeploy can read your "
                      "instances' tags.")
    return passed(f"Role {name} lets CodeDeploy assume it and carries its permissions.")


def bundle_files(aws) -> list | None:
    names = aws.names
    if fetch(aws.s3.head_bucket, Bucket=names.bucket) is None:
        return None
    obj = fetch(aws.s3.get_object, Bucket=names.bucket, Key=names.revision_key)
    if obj is None:
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(obj["Body"].read())).namelist()
    except zipfile.BadZipFile:
        return []


def revision_has_appspec(aws):
    where = f"s3://{aws.names.bucket}/{aws.names.revision_key}"
    files = bundle_files(aws)
    if files is None:
        return failed(f"Revision {where} does not exist; upload the zipped bundle there.")
    if "appspec.yml" not in files:
        nested = [f for f in files if f.endswith("appspec.yml")]
        found = f"it sits at {nested[0]}" if nested else f"found {', '.join(files[:5]) or 'no zip entries'}"
        return failed(f"Revision {where} must hold appspec.yml at the bundle's root; {found}.")
    return passed(f"Revision {where} is a zip bundle with appspec.yml at its root.")


def deployment_group(aws, app: str, group: str) -> dict | None:
    try:
        found = aws.codedeploy.get_deployment_group(applicationName=app, deploymentGroupName=group)
    except ClientError as exc:
        if error_code(exc) in ABSENT:
            return None
        raise
    return found["deploymentGroupInfo"]


def platform(aws, app: str) -> str | None:
    try:
        return aws.codedeploy.get_application(applicationName=app)["application"].get("computePlatform")
    except ClientError as exc:
        if error_code(exc) in ABSENT:
            return None
        raise


def tag_filters(group: dict) -> list:
    filters = list(group.get("ec2TagFilters") or [])
    for tag_group in (group.get("ec2TagSet") or {}).get("ec2TagSetList", []):
        filters += tag_group
    return filters


def ec2_group_problem(aws, group: dict) -> str | None:
    names = aws.names
    wanted = {"Key": names.tag_key, "Value": names.tag_value, "Type": "KEY_AND_VALUE"}
    if not any(all(f.get(k) == v for k, v in wanted.items()) for f in tag_filters(group)):
        found = ", ".join(f"{f.get('Key')}={f.get('Value')}" for f in tag_filters(group)) or "no tag filter"
        return f"should select instances tagged {names.tag_key}={names.tag_value}; found {found}"
    if group.get("deploymentConfigName") != EC2_CONFIG:
        return f"uses {group.get('deploymentConfigName')}, not {EC2_CONFIG}"
    if not (group.get("serviceRoleArn") or "").endswith(f":role/{names.role}"):
        return f"runs as {group.get('serviceRoleArn')}, not role {names.role}"
    return None


def ec2_group_selects_by_tag(aws):
    names = aws.names
    kind = platform(aws, names.app)
    if kind is None:
        return failed(f"CodeDeploy application {names.app} does not exist; create it for EC2 (Server).")
    if kind != "Server":
        return failed(f"Application {names.app} is for {kind}, not Server (EC2/on-premises).")
    group = deployment_group(aws, names.app, names.group)
    if group is None:
        return failed(f"Application {names.app} has no deployment group {names.group}; create it.")
    problem = ec2_group_problem(aws, group)
    if problem:
        return failed(f"Deployment group {names.group} {problem}.")
    return passed(f"Deployment group {names.group} deploys {EC2_CONFIG} to instances tagged "
                  f"{names.tag_key}={names.tag_value}.")


def deployments(aws) -> list:
    names = aws.names
    try:
        ids = aws.codedeploy.list_deployments(applicationName=names.app, deploymentGroupName=names.group)
    except ClientError as exc:
        if error_code(exc) in ABSENT:
            return []
        raise
    if not ids["deployments"]:
        return []
    return aws.codedeploy.batch_get_deployments(deploymentIds=ids["deployments"])["deploymentsInfo"]


def from_lab_revision(aws, deployment: dict) -> bool:
    location = (deployment.get("revision") or {}).get("s3Location") or {}
    return (location.get("bucket"), location.get("key")) == (aws.names.bucket, aws.names.revision_key)


def deployment_from_s3(aws):
    names = aws.names
    found = deployments(aws)
    if not found:
        return failed(f"Deployment group {names.group} has no deployment; create one from the S3 revision.")
    good = [d for d in found if from_lab_revision(aws, d)]
    if not good:
        revision = found[-1].get("revision") or {}
        where = revision.get("s3Location") or revision.get("gitHubLocation") or revision.get("revisionType")
        return failed(f"Deployments of {names.group} use revision {where}, not "
                      f"s3://{names.bucket}/{names.revision_key}.")
    bundle = good[-1]["revision"]["s3Location"].get("bundleType")
    if bundle != "zip":
        return failed(f"Deployment {good[-1]['deploymentId']} declares bundle type {bundle or 'none'}; the "
                      "revision is a zip.")
    return passed(f"Deployment {good[-1]['deploymentId']} of {names.group} deploys "
                  f"s3://{names.bucket}/{names.revision_key}.")


def lambda_group_shifts_by_canary(aws):
    names = aws.names
    kind = platform(aws, names.lambda_app)
    if kind is None:
        return failed(f"CodeDeploy application {names.lambda_app} does not exist; create it for Lambda.")
    if kind != "Lambda":
        return failed(f"Application {names.lambda_app} is for {kind}; a Lambda deployment group needs a Lambda "
                      "application.")
    group = deployment_group(aws, names.lambda_app, names.lambda_group)
    if group is None:
        return failed(f"Application {names.lambda_app} has no deployment group {names.lambda_group}; create it.")
    if group.get("deploymentConfigName") != CANARY_CONFIG:
        return failed(f"Deployment group {names.lambda_group} uses {group.get('deploymentConfigName')}, not the "
                      f"canary {CANARY_CONFIG}.")
    option = (group.get("deploymentStyle") or {}).get("deploymentOption", "WITH_TRAFFIC_CONTROL")
    if option != "WITH_TRAFFIC_CONTROL":
        return failed(f"Deployment group {names.lambda_group} is {option}; traffic shifting needs "
                      "WITH_TRAFFIC_CONTROL.")
    return passed(f"Deployment group {names.lambda_group} shifts Lambda traffic with {CANARY_CONFIG}.")
