"""Checker for codebuild-buildspec-override: a build runs another buildspec, the project keeps its own."""

import io
import json
import zipfile
from urllib.parse import unquote

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

STEP_NEEDS = {4: ("journal",), 5: ("journal",)}  # graded from the calls made

DEFAULT_FILE = "buildspec.yml"


def check(aws):
    yield from steps(aws, role_trusts_codebuild, source_has_both_buildspecs, project_has_default_buildspec,
                     build_started_with_override, project_left_unchanged)


def trust_document(role: dict) -> dict:
    document = role.get("AssumeRolePolicyDocument", {})
    return json.loads(unquote(document)) if isinstance(document, str) else document


def trusted_services(document: dict) -> set:
    services = set()
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        service = (statement.get("Principal") or {}).get("Service", [])
        services.update([service] if isinstance(service, str) else service)
    return services


def role_trusts_codebuild(aws):
    name = aws.names.role
    role = fetch(aws.iam.get_role, RoleName=name)
    if role is None:
        return failed(f"Role {name} does not exist; create it with a trust policy for codebuild.amazonaws.com.")
    services = trusted_services(trust_document(role["Role"]))
    if "codebuild.amazonaws.com" not in services:
        found = ", ".join(sorted(services)) or "no service"
        return failed(f"Role {name} must trust codebuild.amazonaws.com, but its trust policy names {found}.")
    return passed(f"Role {name} exists and CodeBuild may assume it.")


def source_files(aws) -> list | None:
    names = aws.names
    if fetch(aws.s3.head_bucket, Bucket=names.bucket) is None:
        return None
    obj = fetch(aws.s3.get_object, Bucket=names.bucket, Key=names.source_key)
    if obj is None:
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(obj["Body"].read())).namelist()
    except zipfile.BadZipFile:
        return []


def source_has_both_buildspecs(aws):
    names = aws.names
    where = f"s3://{names.bucket}/{names.source_key}"
    files = source_files(aws)
    if files is None:
        return failed(f"Source archive {where} does not exist; upload a zip holding {DEFAULT_FILE} and "
                      f"{names.override}.")
    missing = [f for f in (names.buildspec, names.override) if f not in files]
    if missing:
        found = ", ".join(files[:6]) or "no readable zip entries"
        return failed(f"Source archive {where} must hold {' and '.join(missing)} at its root; found {found}.")
    return passed(f"Source archive {where} holds {names.buildspec} and {names.override}.")


def project(aws) -> dict | None:
    found = aws.codebuild.batch_get_projects(names=[aws.names.project])["projects"]
    return found[0] if found else None


def describe_buildspec(buildspec: str | None) -> str:
    if not buildspec:
        return f"the default {DEFAULT_FILE}"
    return "an inline buildspec" if "\n" in buildspec else buildspec


def is_override_file(buildspec: str | None, override: str) -> bool:
    return bool(buildspec) and buildspec.strip().removeprefix("./") == override


def project_has_default_buildspec(aws):
    names = aws.names
    current = project(aws)
    if current is None:
        return failed(f"CodeBuild project {names.project} does not exist; create it with an S3 source.")
    source = current.get("source", {})
    location = f"{names.bucket}/{names.source_key}"
    if source.get("type") != "S3" or source.get("location") != location:
        return failed(f"Project {names.project} should build the S3 source {location}; found a "
                      f"{source.get('type')} source at {source.get('location')!r}.")
    if is_override_file(source.get("buildspec"), names.override):
        return failed(f"Project {names.project} uses {names.override} as its own buildspec; the project keeps "
                      f"{names.buildspec} and only one build overrides it.")
    return passed(f"Project {names.project} builds {location} with {describe_buildspec(source.get('buildspec'))}.")


def start_build_calls(aws) -> list:
    return [c for c in aws.journal.calls("StartBuild", succeeded=True)
            if c.params.get("projectName") in (aws.names.project, (project(aws) or {}).get("arn"))]


def build_started_with_override(aws):
    names = aws.names
    calls = start_build_calls(aws)
    if not calls:
        return failed(f"No build of project {names.project} was started; expected StartBuild with "
                      f"buildspecOverride {names.override}.")
    overrides = [c.params.get("buildspecOverride") for c in calls]
    if any(is_override_file(o, names.override) for o in overrides):
        return passed(f"A build of {names.project} was started with buildspecOverride {names.override}.")
    given = [o for o in overrides if o]
    if not given:
        return failed(f"{len(calls)} build(s) of {names.project} started without buildspecOverride, so they ran "
                      f"the project's own buildspec; expected buildspecOverride {names.override}.",
                      hint="Pass buildspecOverride to StartBuild (--buildspec-override on the CLI).")
    return failed(f"Builds of {names.project} overrode the buildspec with {describe_buildspec(given[-1])}; the "
                  f"lab expects the file name {names.override}.")


def buildspec_changes(aws) -> list:
    """Journal calls that gave the project a buildspec other than its first one."""
    name = aws.names.project
    creates = [c for c in aws.journal.calls("CreateProject", succeeded=True) if c.params.get("name") == name]
    updates = [c for c in aws.journal.calls("UpdateProject", succeeded=True)
               if c.params.get("name") == name and "buildspec" in (c.params.get("source") or {})]
    if not creates:
        return updates
    first = (creates[0].params.get("source") or {}).get("buildspec")
    later = [c for c in creates[1:] + updates if (c.params.get("source") or {}).get("buildspec") != first]
    return later


def project_left_unchanged(aws):
    names = aws.names
    current = project(aws)
    if current is None:
        return failed(f"CodeBuild project {names.project} does not exist, so its buildspec cannot be checked.")
    buildspec = current.get("source", {}).get("buildspec")
    if is_override_file(buildspec, names.override):
        return failed(f"Project {names.project} now uses {names.override} for every build; expected it to keep "
                      f"{names.buildspec} and the override to apply to one build only.")
    changes = buildspec_changes(aws)
    if changes:
        return failed(f"Project {names.project}'s buildspec was changed by {changes[0].operation}; the override "
                      "belongs on StartBuild, and the project's own buildspec should never be edited.")
    return passed(f"Project {names.project} still uses {describe_buildspec(buildspec)}; no call changed it.")
