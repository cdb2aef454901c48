"""Reference solution: the summaries go to a second bucket named by an environment variable."""

import io
import zipfile

# The destination comes from configuration, not from the code: nobody can "fix" it back into the input
# bucket by editing a constant, and each stage can point at its own bucket.
FIXED_SOURCE = '''\
import os
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")


def summarise(body: bytes) -> bytes:
    lines = body.decode("utf-8", "replace").splitlines()
    return f"{len(lines)} line(s)\\n".encode()


def handler(event, context):
    bucket, prefix = os.environ["OUTPUT_BUCKET"], os.environ.get("OUTPUT_PREFIX", "")
    written = []
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])  # S3 sends keys URL-encoded
        body = s3.get_object(Bucket=record["s3"]["bucket"]["name"], Key=key)["Body"].read()
        target = prefix + key.rsplit("/", 1)[-1].rsplit(".", 1)[0] + ".summary.txt"
        s3.put_object(Bucket=bucket, Key=target, Body=summarise(body))
        written.append(f"s3://{bucket}/{target}")
    return {"written": written}
'''


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def deploy(awslambda, name, source: str, variables: dict):
    """New code first, then the configuration that goes with it (each update must finish before the next)."""
    awslambda.update_function_code(FunctionName=name, ZipFile=zipped(source))
    awslambda.get_waiter("function_updated_v2").wait(FunctionName=name)
    awslambda.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
    awslambda.get_waiter("function_updated_v2").wait(FunctionName=name)


def solve(aws):
    names = aws.names
    # A bucket no trigger of this function watches: outputs there can never start another invocation.
    aws.s3.create_bucket(Bucket=names.output_bucket)  # idempotent in us-east-1 for the bucket's owner
    deploy(aws.client("lambda"), names.function, FIXED_SOURCE, {"OUTPUT_BUCKET": names.output_bucket})
    # The trigger stays as it is: uploads to the input bucket must still be summarised.
    # Recursive loop detection stays at its default (Terminate); moto has no API for it anyway.
