"""Checker for beanstalk-blue-green: two versions, two environments, the production URL moved to green."""

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

LAB_NEEDS = ("beanstalk_swap",)

VERSIONS = ("v1", "v2")


def check(aws):
    yield from steps(aws, versions_uploaded, blue_runs_v1, green_runs_v2, production_url_on_green)


def versions(aws) -> dict:
    found = aws.elasticbeanstalk.describe_application_versions(ApplicationName=aws.names.app)
    return {v["VersionLabel"]: v for v in found["ApplicationVersions"]}


def bundle_exists(aws, version: dict) -> bool:
    source = version.get("SourceBundle") or {}
    bucket, key = source.get("S3Bucket"), source.get("S3Key")
    return bool(bucket and key) and fetch(aws.s3.head_bucket, Bucket=bucket) is not None \
        and fetch(aws.s3.head_object, Bucket=bucket, Key=key) is not None


def versions_uploaded(aws):
    names = aws.names
    apps = aws.elasticbeanstalk.describe_applications(ApplicationNames=[names.app])["Applications"]
    if not any(a["ApplicationName"] == names.app for a in apps):
        return failed(f"Elastic Beanstalk application {names.app} does not exist; create it.")
    found = versions(aws)
    missing = [v for v in VERSIONS if v not in found]
    if missing:
        return failed(f"Application {names.app} has no version {' or '.join(missing)}; create v1 and v2 from "
                      f"bundles in {names.bucket}.")
    no_bundle = [v for v in VERSIONS if not bundle_exists(aws, found[v])]
    if no_bundle:
        source = found[no_bundle[0]].get("SourceBundle") or {}
        return failed(f"Version {no_bundle[0]} of {names.app} points at s3://{source.get('S3Bucket')}/"
                      f"{source.get('S3Key')}, which does not exist; upload the bundle first.")
    return passed(f"Application {names.app} has versions v1 and v2, both with their bundles in S3.")


def environments(aws) -> dict:
    found = aws.elasticbeanstalk.describe_environments(ApplicationName=aws.names.app)["Environments"]
    return {e["EnvironmentName"]: e for e in found if e.get("Status") != "Terminated"}


def runs(env: dict | None, name: str, version: str):
    if env is None:
        return failed(f"Environment {name} does not exist; create it running {version}.")
    if env.get("VersionLabel") != version:
        return failed(f"Environment {name} runs version {env.get('VersionLabel') or 'none'}, not {version}.")
    return None


def blue_runs_v1(aws):
    name = aws.names.blue
    return runs(environments(aws).get(name), name, "v1") or passed(f"Blue environment {name} runs v1.")


def green_runs_v2(aws):
    names = aws.names
    envs = environments(aws)
    green, blue = envs.get(names.green), envs.get(names.blue)
    problem = runs(green, names.green, "v2")
    if problem:
        return problem
    if blue and blue.get("SolutionStackName") != green.get("SolutionStackName"):
        return failed(f"Environment {names.green} runs {green.get('SolutionStackName')} but {names.blue} runs "
                      f"{blue.get('SolutionStackName')}; blue and green should be identical but for the version.")
    return passed(f"Green environment {names.green} runs v2 as a separate environment, on its own instances.")


def production_cname(aws) -> str:
    return f"{aws.names.prod_prefix}.{aws.region}.elasticbeanstalk.com"


def successful_swaps(aws) -> int | None:
    """How many swaps the journal saw (None without a journal: the state alone then grades the step)."""
    if not aws.journal.available:
        return None
    return len(aws.journal.calls("SwapEnvironmentCNAMEs", succeeded=True))


def production_url_on_green(aws):
    names = aws.names
    envs = environments(aws)
    green, blue = envs.get(names.green), envs.get(names.blue)
    if green is None or blue is None:
        return failed(f"Both {names.blue} and {names.green} must exist (blue stays up for a rollback); found "
                      f"{', '.join(sorted(envs)) or 'no environment'}.")
    production = production_cname(aws)
    if green.get("CNAME") == production:
        return passed(f"Production URL {production} now points to {names.green}; {names.blue} keeps "
                      f"{blue.get('CNAME')} for a rollback.")
    if blue.get("CNAME") == production:
        swaps = successful_swaps(aws)
        if swaps is None:
            why = "as when it was created"
        elif swaps:
            why = f"after {swaps} swaps (an even number puts it back)"
        else:
            why = "because the CNAMEs were never swapped"
        return failed(f"Production URL {production} still points to {names.blue} {why}; swap the environments' "
                      "CNAMEs once.", hint="Call SwapEnvironmentCNAMEs with blue and green.")
    return failed(f"Neither environment owns the production URL {production} (blue has {blue.get('CNAME')!r}, green "
                  f"{green.get('CNAME')!r}); create blue with CNAME prefix {names.prod_prefix}.")
