"""Work as a role: a boto3 session on the temporary credentials of AssumeRole.

Plain boto3: the environment the runner gives you points the SDK at your sandbox.
"""

import boto3


def session_for(role_arn: str, name: str) -> boto3.Session:
    """A boto3 session whose calls are signed as `role_arn`, in a session called `name`.

    Ask STS to assume the role, then build the session on the three parts of
    the temporary credentials it returns.
    """
    raise NotImplementedError("assume the role and build a session on its credentials")


def whoami(role_arn: str, name: str) -> str:
    """The ARN STS sees behind session_for(role_arn, name); the checker calls this one."""
    return session_for(role_arn, name).client("sts").get_caller_identity()["Arn"]
