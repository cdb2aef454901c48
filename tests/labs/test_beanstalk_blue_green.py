"""Near-misses and alternatives for beanstalk-blue-green."""

import os
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.beanstalk_blue_green import STACK, bundle, ensure_environment, solve

LAB = "beanstalk-blue-green"


def versions(aws, upload=("v1", "v2")):
    eb, names = aws.elasticbeanstalk, aws.names
    aws.s3.create_bucket(Bucket=names.bucket)
    eb.create_application(ApplicationName=names.app)
    for version in ("v1", "v2"):
        if version in upload:
            aws.s3.put_object(Bucket=names.bucket, Key=f"{version}.zip", Body=bundle(version))
        eb.create_application_version(ApplicationName=names.app, VersionLabel=version,
                                      SourceBundle={"S3Bucket": names.bucket, "S3Key": f"{version}.zip"})


def blue_and_green(aws, green_version="v2", green_stack=STACK):
    names = aws.names
    versions(aws)
    ensure_environment(aws, names.blue, "v1", names.prod_prefix)
    aws.elasticbeanstalk.create_environment(ApplicationName=names.app, EnvironmentName=names.green,
                                            SolutionStackName=green_stack, VersionLabel=green_version,
                                            CNAMEPrefix=names.green_prefix)


def swap(aws):
    aws.elasticbeanstalk.swap_environment_cnames(SourceEnvironmentName=aws.names.blue,
                                                 DestinationEnvironmentName=aws.names.green)


def never_swapped(aws):
    blue_and_green(aws)


def swapped_twice(aws):
    blue_and_green(aws)
    swap(aws)
    swap(aws)


def green_runs_v1(aws):
    blue_and_green(aws, green_version="v1")
    swap(aws)


def green_on_another_platform(aws):
    blue_and_green(aws, green_stack="64bit Amazon Linux 2023 v6.6.0 running Node.js 22")
    swap(aws)


def only_blue(aws):
    versions(aws)
    ensure_environment(aws, aws.names.blue, "v2", aws.names.prod_prefix)


def bundle_never_uploaded(aws):
    versions(aws, upload=("v1",))


def blue_without_production_prefix(aws):
    names = aws.names
    versions(aws)
    ensure_environment(aws, names.blue, "v1", f"blue-{aws.account_id}")
    ensure_environment(aws, names.green, "v2", names.green_prefix)
    swap(aws)


NEAR_MISSES = [
    NearMiss("CNAMEs never swapped", step=4, expect="never swapped", apply=never_swapped),
    NearMiss("swapped twice, back to blue", step=4, expect="after 2 swaps", apply=swapped_twice),
    NearMiss("green runs the old version", step=3, expect="runs version v1, not v2", apply=green_runs_v1),
    NearMiss("green on another platform", step=3, expect="should be identical", apply=green_on_another_platform),
    NearMiss("v2 deployed to blue, no green", step=2, expect="runs version v2, not v1", apply=only_blue),
    NearMiss("version without its bundle", step=1, expect="v2.zip, which does not exist", apply=bundle_never_uploaded),
    NearMiss("blue never had the production URL", step=4, expect="Neither environment owns",
             apply=blue_without_production_prefix),
]


def swap_by_id_from_green(aws):
    """Swap named the other way round, by environment id."""
    blue_and_green(aws)
    envs = {e["EnvironmentName"]: e["EnvironmentId"]
            for e in aws.elasticbeanstalk.describe_environments(ApplicationName=aws.names.app)["Environments"]}
    aws.elasticbeanstalk.swap_environment_cnames(SourceEnvironmentId=envs[aws.names.green],
                                                 DestinationEnvironmentId=envs[aws.names.blue])


def aws_cli(aws):
    env, cli, names = aws.learner_env(), [sys.executable, "-m", "awscli"], aws.names
    folder = os.path.join(os.environ["LABS_STATE_DIR"], f"bg-{aws.account_id}")
    os.makedirs(folder, exist_ok=True)

    def run(*args):
        subprocess.run([*cli, *args], env=env, check=True, capture_output=True, text=True)

    run("s3", "mb", f"s3://{names.bucket}")
    run("elasticbeanstalk", "create-application", "--application-name", names.app)
    for version in ("v1", "v2"):
        path = os.path.join(folder, f"{version}.zip")
        with open(path, "wb") as out:
            out.write(bundle(version))
        run("s3", "cp", path, f"s3://{names.bucket}/releases/{version}.zip")
        run("elasticbeanstalk", "create-application-version", "--application-name", names.app,
            "--version-label", version, "--source-bundle", f"S3Bucket={names.bucket},S3Key=releases/{version}.zip")
    for name, version, prefix in ((names.blue, "v1", names.prod_prefix), (names.green, "v2", names.green_prefix)):
        run("elasticbeanstalk", "create-environment", "--application-name", names.app, "--environment-name", name,
            "--solution-stack-name", STACK, "--version-label", version, "--cname-prefix", prefix)
    run("elasticbeanstalk", "swap-environment-cnames", "--source-environment-name", names.blue,
        "--destination-environment-name", names.green)


ALTERNATIVES = [
    Alternative("swap by id, green as the source", apply=swap_by_id_from_green),
    Alternative("AWS CLI", apply=aws_cli),
    Alternative("reference solve run three times", apply=lambda aws: [solve(aws) for _ in range(3)]),
]

test_near_miss = near_miss_test(LAB, NEAR_MISSES)
test_alternative = alternative_test(LAB, ALTERNATIVES)
