"""Near-misses and alternatives for lambda-avoid-recursion."""

import json
import os
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.lambda_avoid_recursion import HANDLER_SOURCE, allow_s3, deploy, role_arn, solve, zipped

HARD_CODED_BACK = HANDLER_SOURCE.replace('target = prefix + key.rsplit("/", 1)[-1]',
                                         'bucket, target = source, "incoming/out-" + key.rsplit("/", 1)[-1]')


def build(aws, *, variables=None, prefix=None, events=("s3:ObjectCreated:*",), permission=True,
          source=HANDLER_SOURCE, output_bucket=True, also_trigger_output=False):
    names, s3, awslambda = aws.names, aws.s3, aws.client("lambda")
    s3.create_bucket(Bucket=names.bucket)
    if output_bucket:
        s3.create_bucket(Bucket=names.output_bucket)
    variables = variables if variables is not None else {"OUTPUT_BUCKET": names.output_bucket}
    arn = deploy(awslambda, names.function, role_arn(aws.iam, names.role), zipped(source), variables)
    if permission:
        allow_s3(awslambda, names.function, names.bucket, aws.account_id)
    rule_prefix = names.prefix if prefix is None else prefix
    trigger = {"LambdaFunctionArn": arn, "Events": list(events)}
    if rule_prefix:
        trigger["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": rule_prefix}]}}
    buckets = [names.bucket, names.output_bucket] if also_trigger_output else [names.bucket]
    for bucket in buckets:
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [trigger]})


def same_bucket(aws, output_prefix, **changes):
    build(aws, variables={"OUTPUT_BUCKET": aws.names.bucket, "OUTPUT_PREFIX": output_prefix}, **changes)


NEAR_MISSES = [
    NearMiss("writes back into the triggering prefix", step=3, expect="every output would trigger it again",
             apply=lambda aws: same_bucket(aws, "incoming/processed/")),
    NearMiss("same bucket, trigger without a filter", step=2, expect="filters on no prefix filter",
             apply=lambda aws: same_bucket(aws, "processed/", prefix="")),
    NearMiss("code ignores the configuration", step=4, expect="back under incoming/",
             apply=lambda aws: build(aws, source=HARD_CODED_BACK)),
    NearMiss("S3 not allowed to invoke", step=2, expect="no resource policy", apply=lambda aws: build(aws, permission=False)),
    NearMiss("trigger on deletes", step=2, expect="no s3:ObjectCreated notification",
             apply=lambda aws: build(aws, events=("s3:ObjectRemoved:*",))),
    NearMiss("no OUTPUT_BUCKET", step=3, expect="no environment variable OUTPUT_BUCKET",
             apply=lambda aws: build(aws, variables={"DEST": aws.names.output_bucket})),
    NearMiss("output bucket never created", step=3, expect="which does not exist",
             apply=lambda aws: build(aws, output_bucket=False)),
    NearMiss("output bucket triggers the function too", step=3, expect="watches",
             apply=lambda aws: build(aws, also_trigger_output=True)),
]


def cli(aws, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "awscli", *args, "--output", "json"], env=aws.learner_env(),
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout or "{}")


def aws_cli(aws):
    """The learner's shell: a prefix in the output bucket, the trigger written as a JSON document."""
    names = aws.names
    folder = os.path.join(os.environ["LABS_STATE_DIR"], f"cli-{aws.account_id}")
    os.makedirs(folder, exist_ok=True)
    zip_path = os.path.join(folder, "function.zip")
    with open(zip_path, "wb") as handle:
        handle.write(zipped(HANDLER_SOURCE))
    for bucket in (names.bucket, names.output_bucket):
        cli(aws, "s3api", "create-bucket", "--bucket", bucket)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                "Principal": {"Service": "lambda.amazonaws.com"}}]})
    role = cli(aws, "iam", "create-role", "--role-name", names.role, "--assume-role-policy-document", trust)["Role"]["Arn"]
    arn = cli(aws, "lambda", "create-function", "--function-name", names.function, "--runtime", "python3.12",
              "--handler", "app.handler", "--role", role, "--zip-file", f"fileb://{zip_path}", "--environment",
              f"Variables={{OUTPUT_BUCKET={names.output_bucket},OUTPUT_PREFIX=upper/}}")["FunctionArn"]
    cli(aws, "lambda", "add-permission", "--function-name", names.function, "--statement-id", "s3",
        "--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com",
        "--source-arn", f"arn:aws:s3:::{names.bucket}")
    notification = {"LambdaFunctionConfigurations": [{
        "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:Put", "s3:ObjectCreated:CompleteMultipartUpload"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": names.prefix},
                                           {"Name": "suffix", "Value": ".txt"}]}}}]}
    cli(aws, "s3api", "put-bucket-notification-configuration", "--bucket", names.bucket,
        "--notification-configuration", json.dumps(notification))


ALTERNATIVES = [
    Alternative("same bucket, processed/ prefix", apply=lambda aws: same_bucket(aws, "processed/")),
    Alternative("AWS CLI, prefix in the output bucket", apply=aws_cli),
    Alternative("reference applied after an earlier attempt", apply=lambda aws: (
        same_bucket(aws, "incoming/processed/"), solve(aws))),
]

test_near_miss = near_miss_test("lambda-avoid-recursion", NEAR_MISSES)
test_alternative = alternative_test("lambda-avoid-recursion", ALTERNATIVES)


def test_the_code_step_really_runs_on_moto(emulator):
    """The reference must pass step 4 by running, and only step 5 is excused on moto."""
    from labrunner.catalog import load
    from labrunner.grading import Status
    from labrunner.proof import prove_reference_passes

    result = prove_reference_passes(load().get("lambda-avoid-recursion"), emulator).result
    statuses = [s.status for s in result.steps]
    if emulator.name == "moto":
        assert statuses == [Status.PASS] * 4 + [Status.NOT_VERIFIABLE], [s.message for s in result.steps]
