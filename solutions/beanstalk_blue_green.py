"""Reference solution: v2 goes to a second environment, then the two environments swap URLs."""

import io
import zipfile

from botocore.exceptions import ClientError

STACK = "64bit Amazon Linux 2023 v4.6.0 running Python 3.12"
VERSIONS = ("v1", "v2")


def bundle(version: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("application.py", f"def application(environ, start_response):\n"
                                           f"    start_response('200 OK', [])\n    return [b'{version}']\n")
    return buffer.getvalue()


def ignore_existing(call, **kwargs) -> None:
    try:
        call(**kwargs)
    except ClientError as exc:
        if "already exists" not in exc.response["Error"]["Message"]:
            raise


def environments(aws) -> dict:
    found = aws.elasticbeanstalk.describe_environments(ApplicationName=aws.names.app)["Environments"]
    return {e["EnvironmentName"]: e for e in found if e["Status"] != "Terminated"}


def ensure_environment(aws, name: str, version: str, prefix: str) -> None:
    if name not in environments(aws):
        aws.elasticbeanstalk.create_environment(ApplicationName=aws.names.app, EnvironmentName=name,
                                                SolutionStackName=STACK, VersionLabel=version, CNAMEPrefix=prefix)


def solve(aws):
    eb, names = aws.elasticbeanstalk, aws.names
    aws.s3.create_bucket(Bucket=names.bucket)
    ignore_existing(eb.create_application, ApplicationName=names.app)
    for version in VERSIONS:
        aws.s3.put_object(Bucket=names.bucket, Key=f"{version}.zip", Body=bundle(version))
        ignore_existing(eb.create_application_version, ApplicationName=names.app, VersionLabel=version,
                        SourceBundle={"S3Bucket": names.bucket, "S3Key": f"{version}.zip"})
    ensure_environment(aws, names.blue, "v1", names.prod_prefix)  # production: the URL users know
    # Green is a whole second environment (its own instances): v2 is tested there while blue serves.
    ensure_environment(aws, names.green, "v2", names.green_prefix)
    production = f"{names.prod_prefix}.{aws.region}.elasticbeanstalk.com"
    if environments(aws)[names.green].get("CNAME") != production:
        # The swap is a DNS change: blue keeps running, so rolling back is swapping again.
        eb.swap_environment_cnames(SourceEnvironmentName=names.blue, DestinationEnvironmentName=names.green)
