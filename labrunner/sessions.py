"""botocore and boto3 sessions that read nothing of the user's AWS configuration.

Explicit keys alone are not enough: with ``AWS_PROFILE`` naming a profile this
machine lacks, botocore refuses even to load a service model.
"""

from __future__ import annotations

import functools

import boto3
import botocore.loaders
import botocore.session

from . import paths

REGION = "us-east-1"


def sandbox_config_file():
    """An AWS config file with nothing in it but the region: profiles stay out."""
    path = paths.state_dir() / "aws-config"
    if not path.exists():
        path.write_text(f"[default]\nregion = {REGION}\n")
    return path


@functools.cache
def shared_loader():
    """One model loader for every session: each service model is parsed once per process."""
    return botocore.loaders.create_loader()


def isolated_botocore(shared_models: bool = True) -> botocore.session.Session:
    """A botocore session blind to the user's AWS configuration.

    ``shared_models=False`` gives it a private model loader: clients edit the
    models they load (S3's request URIs, for one), so code that reads models
    as published must not share them.
    """
    config = str(sandbox_config_file())
    session = botocore.session.Session(session_vars={
        "profile": (None, None, None, None),
        "config_file": (None, None, config, None),
        "credentials_file": (None, None, config, None),
    })
    session.register_component("data_loader", shared_loader() if shared_models else botocore.loaders.create_loader())
    return session


def isolated_session(access_key: str, secret_key: str, region: str = REGION) -> boto3.session.Session:
    return boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                                 region_name=region, botocore_session=isolated_botocore())
