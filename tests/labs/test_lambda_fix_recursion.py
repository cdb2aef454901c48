"""Near-misses and alternatives for lambda-fix-recursion (they run on the looping deployment setup seeds)."""

import json
import os
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.lambda_fix_recursion import FIXED_SOURCE, deploy, solve, zipped

BROKEN_WRITE = 'target = key.rsplit(".", 1)[0] + ".summary.txt"'
SAME_BUCKET_PROCESSED = FIXED_SOURCE.replace(
    'bucket, prefix = os.environ["OUTPUT_BUCKET"], os.environ.get("OUTPUT_PREFIX", "")',
    'prefix = "processed/"').replace(
    "s3.put_object(Bucket=bucket,", 's3.put_object(Bucket=record["s3"]["bucket"]["name"],').replace(
    'written.append(f"s3://{bucket}/{target}")', "written.append(target)")


def function_arn(aws) -> str:
    return aws.client("lambda").get_function_configuration(FunctionName=aws.names.function)["FunctionArn"]


def set_trigger(aws, bucket=None, prefix=None, suffix=None):
    rules = [{"Name": n, "Value": v} for n, v in (("prefix", prefix), ("suffix", suffix)) if v]
    trigger = {"LambdaFunctionArn": function_arn(aws), "Events": ["s3:ObjectCreated:*"]}
    if rules:
        trigger["Filter"] = {"Key": {"FilterRules": rules}}
    aws.s3.put_bucket_notification_configuration(Bucket=bucket or aws.names.bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [trigger]})


def filter_only(aws):
    set_trigger(aws, prefix=aws.names.prefix)


def filter_and_nested_output(aws):
    set_trigger(aws, prefix=aws.names.prefix)
    deploy(aws.client("lambda"), aws.names.function, FIXED_SOURCE,
           {"OUTPUT_BUCKET": aws.names.bucket, "OUTPUT_PREFIX": aws.names.prefix + "summaries/"})


def env_only(aws):
    aws.s3.create_bucket(Bucket=aws.names.output_bucket)
    aws.client("lambda").update_function_configuration(
        FunctionName=aws.names.function, Environment={"Variables": {"OUTPUT_BUCKET": aws.names.output_bucket}})


def notification_removed(aws):
    aws.s3.put_bucket_notification_configuration(Bucket=aws.names.bucket, NotificationConfiguration={})


def hard_coded_second_bucket(aws, variables=True):
    aws.s3.create_bucket(Bucket=aws.names.output_bucket)
    source = FIXED_SOURCE.replace('os.environ["OUTPUT_BUCKET"]', f'"{aws.names.output_bucket}"')
    deploy(aws.client("lambda"), aws.names.function, source,
           {"OUTPUT_BUCKET": aws.names.output_bucket} if variables else {})


def output_bucket_triggers_too(aws):
    solve(aws)
    aws.client("lambda").add_permission(FunctionName=aws.names.function, StatementId="s3-output",
                                        Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                                        SourceArn=f"arn:aws:s3:::{aws.names.output_bucket}")
    set_trigger(aws, bucket=aws.names.output_bucket)


def permission_removed(aws):
    solve(aws)
    aws.client("lambda").remove_permission(FunctionName=aws.names.function, StatementId="s3-invoke")


NEAR_MISSES = [
    NearMiss("filter added, output still under the filtered prefix", step=2, expect="(prefix incoming/) fires on",
             apply=filter_only),
    NearMiss("filter added, output nested under it", step=2, expect="every output would invoke it again",
             apply=filter_and_nested_output),
    NearMiss("environment variable changed, code still hard-codes the bucket", step=2,
             expect="(no filter) fires on", apply=env_only),
    NearMiss("notification removed entirely", step=1, expect="no longer runs on uploads", apply=notification_removed),
    NearMiss("second bucket hard-coded in the code", step=2, expect="hard-codes the bucket name",
             apply=hard_coded_second_bucket),
    NearMiss("second bucket hard-coded, no variable", step=2, expect="no environment variable",
             apply=lambda aws: hard_coded_second_bucket(aws, variables=False)),
    NearMiss("output bucket triggers the function too", step=2, expect="fires on", apply=output_bucket_triggers_too),
    NearMiss("S3 no longer allowed to invoke", step=1, expect="no resource policy", apply=permission_removed),
]


def same_bucket_prefix(aws):
    """Repair B: filter the trigger on incoming/ and write under processed/ in the same bucket."""
    set_trigger(aws, prefix=aws.names.prefix)
    deploy(aws.client("lambda"), aws.names.function, SAME_BUCKET_PROCESSED, {})


def env_prefix_and_suffix(aws):
    """Same bucket, destination from two variables, trigger filtered on prefix and suffix."""
    set_trigger(aws, prefix=aws.names.prefix, suffix=".csv")
    deploy(aws.client("lambda"), aws.names.function, FIXED_SOURCE,
           {"OUTPUT_BUCKET": aws.names.bucket, "OUTPUT_PREFIX": aws.names.output_prefix})


def cli(aws, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "awscli", *args, "--output", "json"], env=aws.learner_env(),
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout or "{}")


def aws_cli(aws):
    """The learner's shell: a second bucket with a prefix, new code and configuration with `aws lambda`."""
    names = aws.names
    folder = os.path.join(os.environ["LABS_STATE_DIR"], f"cli-{aws.account_id}")
    os.makedirs(folder, exist_ok=True)
    zip_path = os.path.join(folder, "function.zip")
    with open(zip_path, "wb") as handle:
        handle.write(zipped(FIXED_SOURCE))
    cli(aws, "s3api", "create-bucket", "--bucket", names.output_bucket)
    cli(aws, "lambda", "update-function-code", "--function-name", names.function, "--zip-file", f"fileb://{zip_path}")
    cli(aws, "lambda", "wait", "function-updated-v2", "--function-name", names.function)
    cli(aws, "lambda", "update-function-configuration", "--function-name", names.function, "--environment",
        f"Variables={{OUTPUT_BUCKET={names.output_bucket},OUTPUT_PREFIX=summaries/}}")


ALTERNATIVES = [
    Alternative("same bucket, filtered trigger, processed/ prefix in the code", apply=same_bucket_prefix),
    Alternative("same bucket, prefix from the environment, prefix and suffix filter", apply=env_prefix_and_suffix),
    Alternative("AWS CLI, second bucket", apply=aws_cli),
    Alternative("prefix repair first, then the reference", apply=lambda aws: (same_bucket_prefix(aws), solve(aws))),
]

test_near_miss = near_miss_test("lambda-fix-recursion", NEAR_MISSES)
test_alternative = alternative_test("lambda-fix-recursion", ALTERNATIVES)


def test_setup_really_loops_and_the_reference_runs_on_moto(emulator):
    """Fresh: step 2 fails by running the code; solved: steps 1-2 pass and only step 3 is excused on moto."""
    from labrunner.catalog import load
    from labrunner.grading import Status
    from labrunner.proof import prove_fresh_fails, prove_reference_passes

    lab = load().get("lambda-fix-recursion")
    fresh = prove_fresh_fails(lab, emulator).result
    assert "fires on" in fresh.steps[1].message, fresh.steps[1].message
    result = prove_reference_passes(lab, emulator).result
    if emulator.name == "moto":
        assert [s.status for s in result.steps] == [Status.PASS] * 2 + [Status.NOT_VERIFIABLE], \
            [s.message for s in result.steps]
