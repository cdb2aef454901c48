"""A lab's sandbox: its own account on the emulator, and the clients bound to it.

A checker receives an ``Aws`` bundle signed with the sandbox's checker key (so
its reads never show up in the journal); a reference solution receives one
signed with the learner key, exactly like the learner's own code.
"""

from __future__ import annotations

import functools
import os
import shlex
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from botocore.config import Config

from .backends.base import Backend, Keys, ensure_local
from .journal import Journal, NoJournal
from .sessions import REGION, isolated_session, sandbox_config_file

CLIENT_CONFIG = Config(
    retries={"max_attempts": 2, "mode": "standard"},
    connect_timeout=5,
    read_timeout=60,
    s3={"addressing_style": "path"},
)

# Environment variables that could send an SDK or CLI anywhere but the sandbox.
REMOVED_VARIABLES = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CA_BUNDLE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT",
)


@dataclass
class Sandbox:
    """Everything needed to act in one lab's account; stored between commands."""

    lab_id: str
    backend: str
    endpoint: str
    boot_id: str
    account_id: str
    learner: Keys
    checker: Keys
    names: dict = field(default_factory=dict)
    region: str = REGION
    created_at: float = field(default_factory=time.time)
    cache_url: str | None = None  # the Redis-protocol server started with the emulator, if any

    def to_dict(self) -> dict:
        data = asdict(self)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Sandbox":
        data = dict(data)
        data["learner"] = Keys(**data["learner"])
        data["checker"] = Keys(**data["checker"])
        return cls(**data)

    def learner_env(self, base: dict | None = None) -> dict:
        """The environment learner code runs in: this sandbox and nothing else."""
        env = {k: v for k, v in (base if base is not None else os.environ).items()
               if k not in REMOVED_VARIABLES and not k.startswith("AWS_ENDPOINT_URL_")}
        env.update(self.exports())
        return env

    def exports(self) -> dict:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.learner.access_key,
            "AWS_SECRET_ACCESS_KEY": self.learner.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_CONFIG_FILE": str(sandbox_config_file()),
            "AWS_SHARED_CREDENTIALS_FILE": str(sandbox_config_file()),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "LABS_LAB_ID": self.lab_id,
            "LABS_ACCOUNT_ID": self.account_id,
            **{f"LABS_NAME_{key.upper()}": str(value) for key, value in self.names.items()},
            **({"LABS_REDIS_URL": self.cache_url} if self.cache_url else {}),
        }

    def shell_exports(self, current: dict | None = None) -> str:
        """``eval``-able lines: set the sandbox, unset whatever could override it."""
        current = current if current is not None else os.environ
        overrides = sorted(k for k in current if k.startswith("AWS_ENDPOINT_URL_"))
        lines = [f"unset {name}" for name in (*REMOVED_VARIABLES, *overrides)]
        lines += [f"export {k}={shlex.quote(v)}" for k, v in self.exports().items()]
        return "\n".join(lines)


class Names(dict):
    """The lab's concrete resource names, also readable as attributes."""

    def __getattr__(self, item):
        try:
            return self[item]
        except KeyError:
            raise AttributeError(f"this lab has no resource name `{item}`") from None


class Aws:
    """Clients bound to one sandbox, as one principal (checker or learner)."""

    def __init__(self, sandbox: Sandbox, backend: Backend, *, as_learner: bool = False,
                 code_path: Path | None = None, allow_remote: bool = False) -> None:
        ensure_local(sandbox.endpoint, allow_remote)
        self.sandbox = sandbox
        self.backend = backend
        self.account_id = sandbox.account_id
        self.region = sandbox.region
        self.endpoint = sandbox.endpoint
        self.names = Names(sandbox.names)
        self.code_path = code_path
        keys = sandbox.learner if as_learner else sandbox.checker
        self._session = isolated_session(keys.access_key, keys.secret_key, self.region)
        if backend.journal:
            self.journal = Journal(functools.partial(backend.fetch_journal, sandbox.account_id),
                                   exclude_keys=[sandbox.checker.access_key])
        else:
            self.journal = NoJournal()

    @functools.cache
    def client(self, service: str, region: str | None = None):
        return self._session.client(service, endpoint_url=self.endpoint, region_name=region or self.region,
                                    config=CLIENT_CONFIG)

    @functools.cache
    def resource(self, service: str):
        return self._session.resource(service, endpoint_url=self.endpoint, config=CLIENT_CONFIG)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.client(name.replace("_", "-"))

    def learner_env(self) -> dict:
        return self.sandbox.learner_env()

    def as_learner(self) -> "Aws":
        return Aws(self.sandbox, self.backend, as_learner=True, code_path=self.code_path)

    def call_code(self, function: str, *args, timeout: float = 30.0):
        """Call the learner's ``function`` from the lab's code file, in a subprocess."""
        from .harness import call_function

        if self.code_path is None:
            raise RuntimeError("this lab has no code file to call")
        return call_function(self.code_path, function, list(args), self.learner_env(), timeout)
