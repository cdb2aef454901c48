"""Small read helpers for checkers: absence is an answer, not an exception."""

from __future__ import annotations

from botocore.exceptions import ClientError

MISSING_CODES = {
    "404", "NoSuchBucket", "NoSuchKey", "NotFound", "NoSuchEntity", "ResourceNotFoundException",
    "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NoSuchLifecycleConfiguration",
    "ParameterNotFound", "NoSuchUpload", "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchBucketPolicy", "DBInstanceNotFound", "InvalidVolume.NotFound", "StackNotFound",
    "NotFoundException", "ClusterNotFoundFault",
}


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def is_missing(exc: Exception) -> bool:
    return isinstance(exc, ClientError) and error_code(exc) in MISSING_CODES


def fetch(call, *args, **kwargs):
    """``call(*args, **kwargs)``, or None when the emulator says the thing is not there."""
    try:
        return call(*args, **kwargs)
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise
