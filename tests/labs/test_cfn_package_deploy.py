"""Near-misses and alternatives for cfn-package-deploy."""

import json
import os
import re
import subprocess
import sys
import zipfile

from labrunner.catalog import load
from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.cfn_package_deploy import HANDLER, TEMPLATE, code_zip, solve

LAB = "cfn-package-deploy"


def deploy(aws, template: str):
    aws.cloudformation.create_stack(StackName=aws.names.stack, TemplateBody=template, Capabilities=["CAPABILITY_IAM"])


def inline_code(aws):
    aws.s3.create_bucket(Bucket=aws.names.bucket)
    aws.s3.put_object(Bucket=aws.names.bucket, Key="code.zip", Body=code_zip())
    inline = "Code:\n        ZipFile: |\n" + "".join(f"          {line}\n" for line in HANDLER.splitlines())
    deploy(aws, TEMPLATE.replace("Code: src/", inline.rstrip("\n")))


def bucket_but_no_package(aws):
    aws.s3.create_bucket(Bucket=aws.names.bucket)


def artifact_elsewhere(aws):
    other = f"other-artifacts-{aws.account_id}"
    aws.s3.create_bucket(Bucket=other)
    aws.s3.put_object(Bucket=other, Key="code.zip", Body=code_zip())
    aws.s3.create_bucket(Bucket=aws.names.bucket)
    deploy(aws, TEMPLATE.replace("Code: src/", f"Code:\n        S3Bucket: {other}\n        S3Key: code.zip"))


def artifact_changed_not_redeployed(aws):
    solve(aws)
    for item in aws.s3.list_objects_v2(Bucket=aws.names.bucket)["Contents"]:
        aws.s3.put_object(Bucket=aws.names.bucket, Key=item["Key"], Body=zip_with("app.py", "# new version\n"))


def zip_with(name: str, text: str) -> bytes:
    import io
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def packaged_not_deployed(aws):
    aws.s3.create_bucket(Bucket=aws.names.bucket)
    aws.s3.put_object(Bucket=aws.names.bucket, Key="code.zip", Body=code_zip())


NEAR_MISSES = [
    NearMiss("inline ZipFile code", step=4, expect="inline ZipFile", apply=inline_code),
    NearMiss("bucket made, nothing packaged", step=1, expect="holds no zip", apply=bucket_but_no_package),
    NearMiss("packaged into another bucket", step=1, expect="holds no zip", apply=artifact_elsewhere),
    NearMiss("artifact replaced, stack not redeployed", step=4, expect="matches no object",
             apply=artifact_changed_not_redeployed),
    NearMiss("packaged but never deployed", step=2, expect="does not exist", apply=packaged_not_deployed),
]


def learner_folder(aws) -> str:
    """The two files the lab text hands out, written as the learner would."""
    folder = os.path.join(os.environ["LABS_STATE_DIR"], f"cfn-{aws.account_id}")
    os.makedirs(os.path.join(folder, "src"), exist_ok=True)
    text = load().get(LAB).rendered_text(aws.names)
    template, handler = re.findall(r"```(?:yaml|python)\n(.*?)```", text, re.DOTALL)
    with open(os.path.join(folder, "template.yaml"), "w") as out:
        out.write(template)
    with open(os.path.join(folder, "src", "app.py"), "w") as out:
        out.write(handler)
    return folder


def aws_cli_package_deploy(aws):
    env, cli, names = aws.learner_env(), [sys.executable, "-m", "awscli"], aws.names
    folder = learner_folder(aws)

    def run(*args):
        subprocess.run([*cli, *args], env=env, cwd=folder, check=True, capture_output=True, text=True)

    run("s3", "mb", f"s3://{names.bucket}")
    run("cloudformation", "package", "--template-file", "template.yaml", "--s3-bucket", names.bucket,
        "--output-template-file", "packaged.yaml")
    run("cloudformation", "deploy", "--template-file", "packaged.yaml", "--stack-name", names.stack,
        "--capabilities", "CAPABILITY_IAM")


def boto3_json_change_set(aws):
    """A JSON template, a prefixed key and a change set instead of create_stack."""
    names, cfn = aws.names, aws.cloudformation
    aws.s3.create_bucket(Bucket=names.bucket)
    aws.s3.put_object(Bucket=names.bucket, Key="lambda/hello.zip", Body=zip_with("app.py", HANDLER))
    template = {"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "FunctionName": names.function, "Runtime": "python3.12", "Handler": "app.handler",
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"S3Bucket": names.bucket, "S3Key": "lambda/hello.zip"}}}}}
    cfn.create_change_set(StackName=names.stack, ChangeSetName="first", ChangeSetType="CREATE",
                          TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
    cfn.get_waiter("change_set_create_complete").wait(StackName=names.stack, ChangeSetName="first",
                                                      WaiterConfig={"Delay": 1})
    cfn.execute_change_set(StackName=names.stack, ChangeSetName="first")


ALTERNATIVES = [
    Alternative("AWS CLI package + deploy", apply=aws_cli_package_deploy),
    Alternative("boto3 JSON template through a change set", apply=boto3_json_change_set),
]

test_near_miss = near_miss_test(LAB, NEAR_MISSES)
test_alternative = alternative_test(LAB, ALTERNATIVES)


def test_lab_text_hands_out_the_reference_files():
    text = load().get(LAB).rendered_text({"function": "lab-packaged-hello"})
    template, handler = re.findall(r"```(?:yaml|python)\n(.*?)```", text, re.DOTALL)
    assert (template, handler) == (TEMPLATE, HANDLER)
