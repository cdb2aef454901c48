"""Find the account of an access key without building every partition's IAM.

moto's ``get_account_id_from`` runs on every request and reads
``iam_backends[account][partition]`` for every account and every partition;
each read of a partition not used yet builds an IAM backend (with 1,500 AWS
managed policies when they are loaded).  With one account per lab sandbox that
made each new sandbox cost about a second.  This version looks only at
backends that already exist, and remembers where each key was found.
Behaviour is unchanged: an unknown key still maps to the default account.
"""

from __future__ import annotations

import threading

import moto.iam.models as iam_models
from moto.core import DEFAULT_ACCOUNT_ID

_found: dict[str, str] = {}
_lock = threading.Lock()


def existing_partitions(account_backends) -> list:
    return [dict.get(account_backends, name) for name in dict.keys(account_backends)]


def _key_in(account_id: str, access_key: str) -> bool:
    account_backends = dict.get(iam_models.iam_backends, account_id)
    if account_backends is None:
        return False
    return any(access_key in backend.access_keys for backend in existing_partitions(account_backends))


def get_account_id_from(access_key: str) -> str:
    cached = _found.get(access_key)
    if cached and _key_in(cached, access_key):
        return cached
    for account_id in list(dict.keys(iam_models.iam_backends)):
        if _key_in(account_id, access_key):
            with _lock:
                _found[access_key] = account_id
            return account_id
    return DEFAULT_ACCOUNT_ID


def role_arn_of(account_id: str, access_key: str) -> str:
    """The role an assumed-role key stands for ('' for a user's key)."""
    account_backends = dict.get(iam_models.iam_backends, account_id)
    for backend in existing_partitions(account_backends) if account_backends else []:
        key = backend.access_keys.get(access_key)
        if key is not None:
            return getattr(key, "role_arn", "") or ""
    return ""


def install() -> None:
    iam_models.get_account_id_from = get_account_id_from
