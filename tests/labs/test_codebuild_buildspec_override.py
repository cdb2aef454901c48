"""Near-misses and alternatives for codebuild-buildspec-override."""

import json
import os
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.codebuild_buildspec_override import TRUST, ensure_role, solve, source_zip

ENVIRONMENT = {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
               "computeType": "BUILD_GENERAL1_SMALL"}


def prepared(aws) -> str:
    """Role and source in place, as after steps 1-2."""
    arn = ensure_role(aws)
    aws.s3.create_bucket(Bucket=aws.names.bucket)
    aws.s3.put_object(Bucket=aws.names.bucket, Key=aws.names.source_key, Body=source_zip(aws.names))
    return arn


def create_project(aws, arn, buildspec):
    source = {"type": "S3", "location": f"{aws.names.bucket}/{aws.names.source_key}"}
    if buildspec:
        source["buildspec"] = buildspec
    aws.codebuild.create_project(name=aws.names.project, source=source, artifacts={"type": "NO_ARTIFACTS"},
                                 environment=ENVIRONMENT, serviceRole=arn)


def project_edited_instead(aws):
    create_project(aws, prepared(aws), aws.names.override)
    aws.codebuild.start_build(projectName=aws.names.project)


def no_override(aws):
    create_project(aws, prepared(aws), aws.names.buildspec)
    aws.codebuild.start_build(projectName=aws.names.project)


def recreated_then_restored(aws):
    arn = prepared(aws)
    create_project(aws, arn, aws.names.buildspec)
    aws.codebuild.delete_project(name=aws.names.project)
    create_project(aws, arn, aws.names.override)
    aws.codebuild.start_build(projectName=aws.names.project)
    aws.codebuild.delete_project(name=aws.names.project)
    create_project(aws, arn, aws.names.buildspec)
    aws.codebuild.start_build(projectName=aws.names.project, buildspecOverride=aws.names.override)


def override_names_another_file(aws):
    create_project(aws, prepared(aws), aws.names.buildspec)
    aws.codebuild.start_build(projectName=aws.names.project, buildspecOverride="buildspec-tests.yaml")


def override_file_missing_from_source(aws):
    solve(aws)
    aws.s3.put_object(Bucket=aws.names.bucket, Key=aws.names.source_key, Body=b"PK\x05\x06" + b"\0" * 18)


def role_trusts_lambda(aws):
    solve(aws)
    trust = json.loads(json.dumps(TRUST))
    trust["Statement"][0]["Principal"]["Service"] = "lambda.amazonaws.com"
    aws.iam.update_assume_role_policy(RoleName=aws.names.role, PolicyDocument=json.dumps(trust))


def no_source_uploaded(aws):
    arn = ensure_role(aws)
    aws.s3.create_bucket(Bucket=aws.names.bucket)
    create_project(aws, arn, None)
    aws.codebuild.start_build(projectName=aws.names.project, buildspecOverride=aws.names.override)


NEAR_MISSES = [
    NearMiss("project buildspec edited instead", step=3, expect="uses buildspec-test.yml as its own",
             apply=project_edited_instead),
    NearMiss("build started without override", step=4, expect="without buildspecOverride", apply=no_override),
    NearMiss("override names another file", step=4, expect="buildspec-tests.yaml",
             apply=override_names_another_file),
    NearMiss("project recreated with the test buildspec, then restored", step=5, expect="changed by CreateProject",
             apply=recreated_then_restored),
    NearMiss("source zip without the buildspecs", step=2, expect="must hold", apply=override_file_missing_from_source),
    NearMiss("no source uploaded", step=2, expect="does not exist", apply=no_source_uploaded),
    NearMiss("role trusts another service", step=1, expect="lambda.amazonaws.com", apply=role_trusts_lambda),
]


def default_buildspec_left_out(aws):
    """The learner omits the project's buildspec: it defaults to buildspec.yml."""
    create_project(aws, prepared(aws), None)
    aws.codebuild.start_build(projectName=aws.names.project, buildspecOverride=f"./{aws.names.override}")


def aws_cli(aws):
    env, cli, names = aws.learner_env(), [sys.executable, "-m", "awscli"], aws.names
    folder = os.path.join(os.environ["LABS_STATE_DIR"], f"cb-{aws.account_id}")
    os.makedirs(folder, exist_ok=True)
    archive = os.path.join(folder, "source.zip")
    with open(archive, "wb") as handle:
        handle.write(source_zip(names))

    def run(*args):
        return subprocess.run([*cli, *args], env=env, check=True, capture_output=True, text=True).stdout

    arn = json.loads(run("iam", "create-role", "--role-name", names.role,
                         "--assume-role-policy-document", json.dumps(TRUST)))["Role"]["Arn"]
    run("s3", "mb", f"s3://{names.bucket}")
    run("s3", "cp", archive, f"s3://{names.bucket}/{names.source_key}")
    run("codebuild", "create-project", "--name", names.project, "--service-role", arn,
        "--source", json.dumps({"type": "S3", "location": f"{names.bucket}/{names.source_key}"}),
        "--artifacts", "type=NO_ARTIFACTS", "--environment", json.dumps(ENVIRONMENT))
    run("codebuild", "start-build", "--project-name", names.project, "--buildspec-override", names.override)


def inline_project_buildspec(aws):
    """The project's default buildspec written inline; the override still names the file."""
    create_project(aws, prepared(aws), "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n")
    aws.codebuild.start_build(projectName=aws.names.project, buildspecOverride=aws.names.override)


ALTERNATIVES = [
    Alternative("project buildspec left to its default", apply=default_buildspec_left_out),
    Alternative("inline project buildspec", apply=inline_project_buildspec),
    Alternative("AWS CLI", apply=aws_cli),
]

test_near_miss = near_miss_test("codebuild-buildspec-override", NEAR_MISSES)
test_alternative = alternative_test("codebuild-buildspec-override", ALTERNATIVES)
