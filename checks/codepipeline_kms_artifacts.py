"""Checker for codepipeline-kms-artifacts: a customer managed key named in a three-stage pipeline."""

import json
from urllib.parse import unquote

from botocore.exceptions import ClientError

from labrunner.grading import failed, passed, steps
from labrunner.kms import describe_key
from labrunner.lookups import error_code, fetch

STAGE_ORDER = ("Source", "Build", "Deploy")


def check(aws):
    yield from steps(aws, key_is_customer_managed, buckets_ready, role_trusts_codepipeline, pipeline_has_three_stages,
                     artifacts_use_the_key)



def key_is_customer_managed(aws):
    alias = aws.names.key_alias
    key = describe_key(aws, alias)
    if key is None:
        return failed(f"KMS alias {alias} does not exist; create a key and give it that alias.")
    if key.get("KeyManager") != "CUSTOMER" or alias.startswith("alias/aws/"):
        return failed(f"KMS alias {alias} points to an AWS managed key; the lab needs a customer managed key.")
    if key.get("KeyState") != "Enabled":
        return failed(f"KMS key {key['KeyId']} behind {alias} is {key.get('KeyState')}, not Enabled.")
    return passed(f"KMS alias {alias} names customer managed key {key['KeyId']}.")


def buckets_ready(aws):
    names = aws.names
    missing = [b for b in (names.bucket, names.source_bucket) if fetch(aws.s3.head_bucket, Bucket=b) is None]
    if missing:
        return failed(f"Bucket(s) {', '.join(missing)} do not exist; create the artifact and source buckets.")
    versioning = aws.s3.get_bucket_versioning(Bucket=names.source_bucket).get("Status")
    if versioning != "Enabled":
        return failed(f"Source bucket {names.source_bucket} has versioning {versioning or 'never enabled'}; an S3 "
                      "source action needs it Enabled.")
    return passed(f"Artifact bucket {names.bucket} and versioned source bucket {names.source_bucket} exist.")


def trusted_services(role: dict) -> set:
    document = role.get("AssumeRolePolicyDocument", {})
    document = json.loads(unquote(document)) if isinstance(document, str) else document
    statements = document.get("Statement", [])
    services = set()
    for statement in [statements] if isinstance(statements, dict) else statements:
        principal = statement.get("Principal") if statement.get("Effect") == "Allow" else None
        service = principal.get("Service", []) if isinstance(principal, dict) else []
        services.update([service] if isinstance(service, str) else service)
    return services


def role_trusts_codepipeline(aws):
    name = aws.names.role
    role = fetch(aws.iam.get_role, RoleName=name)
    if role is None:
        return failed(f"Role {name} does not exist; create it for codepipeline.amazonaws.com.")
    services = trusted_services(role["Role"])
    if "codepipeline.amazonaws.com" not in services:
        return failed(f"Role {name} must trust codepipeline.amazonaws.com; its trust policy names "
                      f"{', '.join(sorted(services)) or 'no service'}.")
    return passed(f"Role {name} lets CodePipeline assume it.")


def pipeline(aws) -> dict | None:
    try:
        return aws.codepipeline.get_pipeline(name=aws.names.pipeline)["pipeline"]
    except ClientError as exc:
        if error_code(exc) in ("PipelineNotFoundException", "ResourceNotFoundException"):
            return None
        raise


def stage_categories(definition: dict) -> list[str]:
    """Each stage's action category (the first action of the stage)."""
    return [(s.get("actions") or [{}])[0].get("actionTypeId", {}).get("category", "?")
            for s in definition.get("stages", [])]


def pipeline_has_three_stages(aws):
    name = aws.names.pipeline
    definition = pipeline(aws)
    if definition is None:
        return failed(f"Pipeline {name} does not exist; create it.")
    categories = stage_categories(definition)
    if tuple(categories) != STAGE_ORDER:
        return failed(f"Pipeline {name} should run Source, Build, Deploy stages in that order; found "
                      f"{', '.join(categories) or 'no stages'}.")
    store = definition.get("artifactStore", {})
    if store.get("location") != aws.names.bucket:
        return failed(f"Pipeline {name} stores artifacts in {store.get('location')!r}, not {aws.names.bucket}.")
    return passed(f"Pipeline {name} runs Source, Build and Deploy, with artifacts in {aws.names.bucket}.")


def artifacts_use_the_key(aws):
    names = aws.names
    definition = pipeline(aws)
    if definition is None:
        return failed(f"Pipeline {names.pipeline} does not exist, so its artifact encryption cannot be checked.")
    named = (definition.get("artifactStore", {}).get("encryptionKey") or {}).get("id")
    if not named:
        return failed(f"Pipeline {names.pipeline} names no encryptionKey, so its artifacts use the AWS managed "
                      f"aws/s3 key; expected {names.key_alias}.",
                      hint="Add artifactStore.encryptionKey = {\"id\": <key ARN>, \"type\": \"KMS\"}.")
    expected, found = describe_key(aws, names.key_alias), describe_key(aws, named)
    if expected is None or found is None or expected["KeyId"] != found["KeyId"]:
        return failed(f"Pipeline {names.pipeline} encrypts artifacts with {named}, which is not the key behind "
                      f"{names.key_alias}.")
    return passed(f"Pipeline {names.pipeline} encrypts its artifacts with {names.key_alias} ({expected['KeyId']}).")
