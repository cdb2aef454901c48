"""moto, the embedded default: the runner's launcher in a background process."""

from __future__ import annotations

import json
import os
import secrets
import sys
import urllib.error
import urllib.request

from botocore.config import Config

from ..errors import EmulatorDown, LabError
from ..sessions import isolated_session
from .base import Backend, Keys, SandboxAccount, get_json
from .declared import MOTO_FEATURES, MOTO_SERVICES

LEARNER_USER = "lab-learner"
CHECKER_USER = "lab-checker"


def random_account_id() -> str:
    """A 12-digit account id that is never moto's default 123456789012."""
    return str(100_000_000_000 + secrets.randbelow(899_999_999_999))


class MotoBackend(Backend):
    name = "moto"
    journal = True
    capabilities = MOTO_FEATURES
    services = MOTO_SERVICES
    notes = "The default: embedded, with the runner's call journal and moto extensions."

    @classmethod
    def server_command(cls, port: int) -> tuple[list[str], dict]:
        # The user's AWS_PROFILE and friends would break botocore inside moto itself.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(MOTO_IAM_LOAD_MANAGED_POLICIES="true", PYTHONUNBUFFERED="1")
        command = [sys.executable, "-m", "labrunner.backends.moto_server", "--port", str(port)]
        return command, env

    def info(self) -> dict | None:
        info = self._get(f"{self.endpoint}/_labrunner/info")
        return info if isinstance(info, dict) and info.get("backend") == "moto" else None

    def mint_sandbox(self) -> SandboxAccount:
        """A new account: IAM users made inside it own keys that act in it."""
        account_id = random_account_id()
        iam = self._admin_iam(account_id)
        keys = []
        for user in (LEARNER_USER, CHECKER_USER):
            iam.create_user(UserName=user)
            iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
            key = iam.create_access_key(UserName=user)["AccessKey"]
            keys.append(Keys(key["AccessKeyId"], key["SecretAccessKey"]))
        return SandboxAccount(account_id, learner=keys[0], checker=keys[1])

    def _admin_iam(self, account_id: str):
        admin = isolated_session("labrunner-admin", "labrunner-admin")
        iam = admin.client("iam", endpoint_url=self.endpoint, config=Config(retries={"max_attempts": 2}))

        def into_account(request, **_):
            request.headers["x-moto-account-id"] = account_id

        iam.meta.events.register("before-sign", into_account)
        return iam

    def enforce_iam(self, account_id: str, on: bool = True) -> bool:
        """Authenticate and authorize every request of this account only (moto_ext/iam_enforcement.py).

        Call it after the sandbox's setup: from then on only keys with IAM policies that allow
        an action may do it there (the checker's key has AdministratorAccess).  True when done.
        """
        body = json.dumps({"account": account_id, "enforce": on}).encode()
        request = urllib.request.Request(f"{self.endpoint}/_labrunner/enforce-iam", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback only)
                return json.loads(response.read()).get("enforced") is on
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=60):  # noqa: S310 (loopback only)
            pass

    def iam_enforced(self, account_id: str) -> bool:
        """Whether enforce_iam is on for this account (False on a server without the extension)."""
        found = self._get(f"{self.endpoint}/_labrunner/enforce-iam?account={account_id}")
        return isinstance(found, dict) and found.get("enforced") is True

    def fetch_journal(self, account_id: str, since: int = 0) -> list[dict]:
        """The account's recorded calls; EmulatorDown only when nothing answers at all."""
        try:
            records = get_json(f"{self.endpoint}/_labrunner/journal?account={account_id}&since={since}", 10.0)
        except urllib.error.HTTPError as exc:
            raise LabError(f"The emulator at {self.endpoint} answered the call-journal request with HTTP "
                           f"{exc.code}, so the calls you made cannot be graded; restart it with `inv down` "
                           "and `inv up` (its log is in the state folder).") from None
        except (urllib.error.URLError, OSError):
            raise EmulatorDown(self.endpoint) from None
        except ValueError:
            records = None
        if not isinstance(records, list):
            raise LabError(f"The emulator at {self.endpoint} sent an unreadable call journal, so the calls you made "
                           "cannot be graded; restart it with `inv down` and `inv up`.")
        return records
