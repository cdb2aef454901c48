"""Near-misses and alternatives for codepipeline-kms-artifacts."""

import json
import os
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.codepipeline_kms_artifacts import TRUST, ensure_key, pipeline_definition, solve

LAB = "codepipeline-kms-artifacts"


def replace_pipeline(aws, change):
    """Solve, then update the pipeline with ``change(definition)`` applied."""
    solve(aws)
    definition = aws.codepipeline.get_pipeline(name=aws.names.pipeline)["pipeline"]
    change(definition)
    aws.codepipeline.update_pipeline(pipeline=definition)


def default_key(definition):
    definition["artifactStore"].pop("encryptionKey")


def aws_managed_key(aws):
    solve(aws)
    definition = aws.codepipeline.get_pipeline(name=aws.names.pipeline)["pipeline"]
    aws_s3 = aws.kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]
    definition["artifactStore"]["encryptionKey"] = {"id": aws_s3, "type": "KMS"}
    aws.codepipeline.update_pipeline(pipeline=definition)


def no_deploy_stage(definition):
    definition["stages"] = definition["stages"][:2]


def build_before_source(definition):
    definition["stages"] = [definition["stages"][1], definition["stages"][0], definition["stages"][2]]


def artifacts_elsewhere(aws):
    solve(aws)
    aws.s3.create_bucket(Bucket=f"other-artifacts-{aws.account_id}")
    replace = lambda d: d["artifactStore"].update(location=f"other-artifacts-{aws.account_id}")  # noqa: E731
    definition = aws.codepipeline.get_pipeline(name=aws.names.pipeline)["pipeline"]
    replace(definition)
    aws.codepipeline.update_pipeline(pipeline=definition)


def unversioned_source(aws):
    solve(aws)
    aws.s3.put_bucket_versioning(Bucket=aws.names.source_bucket, VersioningConfiguration={"Status": "Suspended"})


def role_trusting_an_account(aws):
    """A trust statement without a Service principal: the checker must grade it, not crash."""
    solve(aws)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{aws.account_id}:root"}, "Action": "sts:AssumeRole"}]}
    aws.iam.update_assume_role_policy(RoleName=aws.names.role, PolicyDocument=json.dumps(trust))


def key_disabled(aws):
    solve(aws)
    aws.kms.disable_key(KeyId=aws.kms.describe_key(KeyId=ensure_key(aws))["KeyMetadata"]["KeyId"])


NEAR_MISSES = [
    NearMiss("default key (no encryptionKey)", step=5, expect="names no encryptionKey",
             apply=lambda aws: replace_pipeline(aws, default_key)),
    NearMiss("AWS managed aws/s3 key named", step=5, expect="not the key behind", apply=aws_managed_key),
    NearMiss("no deploy stage", step=4, expect="found Source, Build.",
             apply=lambda aws: replace_pipeline(aws, no_deploy_stage)),
    NearMiss("stages out of order", step=4, expect="found Build, Source, Deploy",
             apply=lambda aws: replace_pipeline(aws, build_before_source)),
    NearMiss("artifacts in another bucket", step=4, expect="not lab-pipeline-artifacts", apply=artifacts_elsewhere),
    NearMiss("source bucket not versioned", step=2, expect="versioning Suspended", apply=unversioned_source),
    NearMiss("role trusts an account, not the service", step=3, expect="names no service",
             apply=role_trusting_an_account),
    NearMiss("key disabled", step=1, expect="Disabled", apply=key_disabled),
]


def alias_as_key_id(aws):
    """The alias (not the ARN) as the encryptionKey id."""
    solve(aws)
    definition = aws.codepipeline.get_pipeline(name=aws.names.pipeline)["pipeline"]
    definition["artifactStore"]["encryptionKey"] = {"id": aws.names.key_alias, "type": "KMS"}
    aws.codepipeline.update_pipeline(pipeline=definition)


def aws_cli(aws):
    env, cli, names = aws.learner_env(), [sys.executable, "-m", "awscli"], aws.names

    def run(*args):
        out = subprocess.run([*cli, *args, "--output", "json"], env=env, check=True, capture_output=True, text=True)
        return json.loads(out.stdout) if out.stdout.startswith("{") else {}

    key = run("kms", "create-key", "--description", "pipeline artifacts")["KeyMetadata"]
    run("kms", "create-alias", "--alias-name", names.key_alias, "--target-key-id", key["KeyId"])
    for bucket in (names.bucket, names.source_bucket, names.site_bucket):
        run("s3", "mb", f"s3://{bucket}")
    run("s3api", "put-bucket-versioning", "--bucket", names.source_bucket,
        "--versioning-configuration", "Status=Enabled")
    role = run("iam", "create-role", "--role-name", names.role,
               "--assume-role-policy-document", json.dumps(TRUST))["Role"]["Arn"]
    path = os.path.join(os.environ["LABS_STATE_DIR"], f"pipeline-{aws.account_id}.json")
    with open(path, "w") as out:
        json.dump({"pipeline": pipeline_definition(aws, role, key["KeyId"])}, out)
    run("codepipeline", "create-pipeline", "--cli-input-json", f"file://{path}")


ALTERNATIVES = [
    Alternative("alias as the encryptionKey id", apply=alias_as_key_id),
    Alternative("AWS CLI with the key id", apply=aws_cli),
]

test_near_miss = near_miss_test(LAB, NEAR_MISSES)
test_alternative = alternative_test(LAB, ALTERNATIVES)
