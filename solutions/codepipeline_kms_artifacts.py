"""Reference solution: a three-stage pipeline whose artifacts are encrypted with our own KMS key."""

import json

from botocore.exceptions import ClientError

# One statement, Service as a plain string: what CodePipeline needs (and all the emulator understands).
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def ensure_key(aws) -> str:
    """The customer managed key behind the lab's alias (created once)."""
    alias = aws.names.key_alias
    try:
        return aws.kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NotFoundException":
            raise
    key = aws.kms.create_key(Description="CodePipeline artifacts")["KeyMetadata"]
    aws.kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return key["Arn"]


def ensure_role(aws) -> str:
    try:
        return aws.iam.create_role(RoleName=aws.names.role,
                                   AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
        return aws.iam.get_role(RoleName=aws.names.role)["Role"]["Arn"]


def stage(name: str, category: str, provider: str, configuration: dict, inputs=(), outputs=()) -> dict:
    return {"name": name, "actions": [{
        "name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
        "configuration": configuration, "runOrder": 1,
        "inputArtifacts": [{"name": a} for a in inputs], "outputArtifacts": [{"name": a} for a in outputs]}]}


def pipeline_definition(aws, role_arn: str, key_arn: str) -> dict:
    names = aws.names
    return {
        "name": names.pipeline,
        "roleArn": role_arn,
        # Without encryptionKey, CodePipeline uses the AWS managed aws/s3 key: nobody else can be granted it.
        "artifactStore": {"type": "S3", "location": names.bucket,
                          "encryptionKey": {"id": key_arn, "type": "KMS"}},
        "stages": [
            stage("Source", "Source", "S3", {"S3Bucket": names.source_bucket, "S3ObjectKey": "source.zip",
                                             "PollForSourceChanges": "false"}, outputs=["SourceOutput"]),
            stage("Build", "Build", "CodeBuild", {"ProjectName": names.build_project},
                  inputs=["SourceOutput"], outputs=["BuildOutput"]),
            stage("Deploy", "Deploy", "S3", {"BucketName": names.site_bucket, "Extract": "true"},
                  inputs=["BuildOutput"]),
        ],
    }


def solve(aws):
    names = aws.names
    key_arn = ensure_key(aws)
    for bucket in (names.bucket, names.source_bucket, names.site_bucket):
        aws.s3.create_bucket(Bucket=bucket)
    # An S3 source action reads object versions, so the source bucket must be versioned.
    aws.s3.put_bucket_versioning(Bucket=names.source_bucket, VersioningConfiguration={"Status": "Enabled"})
    definition = pipeline_definition(aws, ensure_role(aws), key_arn)
    try:
        aws.codepipeline.create_pipeline(pipeline=definition)
    except ClientError as exc:
        if "already exists" not in exc.response["Error"]["Message"]:
            raise
        aws.codepipeline.update_pipeline(pipeline=definition)
