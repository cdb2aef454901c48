"""A role's permissions replace yours: read one object as the role, one as yourself.

Plain boto3: the environment the runner gives you points the SDK at your sandbox
and signs as your user, lab-learner.
"""

import boto3
from botocore.exceptions import ClientError


def read_as_role(role_arn: str, bucket: str, key: str) -> str:
    """The text of s3://bucket/key, read with the temporary credentials of `role_arn`.

    Assume the role, build an S3 client on all three parts of its credentials,
    and read the object with that client only.  When the role may not read it,
    let the AccessDenied error reach the caller.
    """
    raise NotImplementedError("assume the role, then read the object with its credentials")


def read_as_me(bucket: str, key: str) -> str:
    """The text of s3://bucket/key, read with your own credentials (no role)."""
    raise NotImplementedError("read the object with a plain S3 client")


def outcome(reader: str, *args) -> dict:
    """What the checker calls: {"read": text} or {"error": the AWS error code}. Keep it as it is."""
    try:
        return {"read": globals()[reader](*args)}
    except ClientError as error:
        return {"error": error.response["Error"]["Code"]}
