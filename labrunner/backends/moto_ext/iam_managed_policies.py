"""AWS managed policies built when an account first names one, not all up front.

With ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` moto 5.2.x parses its 4 MB
catalogue of about 1,500 AWS managed policies and builds an object for every
one of them in every account it creates: 115 ms and 5.2 MB per account,
measured.  The runner makes an account per sandbox, so a catalogue run held
about 4 GB in policies nobody read, and each sandbox waited for them.

Here the catalogue is parsed once per process, and each account's
``managed_policies`` is a :class:`ManagedPolicies` mapping that builds an AWS
managed policy (with moto's own ``AWSManagedPolicy.from_data``) the first time
that account looks it up.  Anything that lists every policy (``ListPolicies``,
``GetAccountAuthorizationDetails``, AWS Config) builds them all first, in
moto's order, so answers are unchanged.  moto's attach and detach methods
copied the whole mapping to find one ARN; they are replaced with a direct
lookup that keeps moto's error messages.
"""

from __future__ import annotations

import json
import threading
from functools import cache


@cache
def catalogue() -> dict[str, tuple[str, dict]]:
    """``{path + name: (name, data)}`` of every AWS managed policy moto knows, parsed once."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    parsed = json.loads(aws_managed_policies_data)
    return {f"{data.get('Path') or '/'}{name}": (name, data) for name, data in parsed.items()}


class ManagedPolicies(dict):
    """One account's managed policies: its own, plus AWS ones built on first lookup."""

    def __init__(self, backend) -> None:
        super().__init__()
        self._backend = backend
        self._prefix = f"arn:{backend.partition}:iam::aws:policy"
        self._gone: set[str] = set()  # AWS policies this account deleted (moto lets it)
        self._complete = False
        self._lock = threading.Lock()  # the server is threaded: build each policy once

    def _buildable(self, arn) -> bool:
        return (not self._complete and isinstance(arn, str) and arn.startswith(self._prefix)
                and arn[len(self._prefix):] in catalogue() and arn not in self._gone
                and not dict.__contains__(self, arn))

    def _build(self, arn: str):
        from moto.iam.models import AWSManagedPolicy

        with self._lock:
            if dict.__contains__(self, arn):
                return dict.__getitem__(self, arn)
            name, data = catalogue()[arn[len(self._prefix):]]
            policy = AWSManagedPolicy.from_data(name, self._backend.account_id, self._backend.region_name, data)
            dict.__setitem__(self, arn, policy)
            self._backend.aws_managed_policies.append(policy)
            return policy

    def build_all(self) -> None:
        """Build every AWS policy not built yet, then order them as moto does: AWS ones first, in catalogue order."""
        if self._complete:
            return
        aws_arns = [self._prefix + suffix for suffix in catalogue()]
        for arn in aws_arns:
            if self._buildable(arn):
                self._build(arn)
        with self._lock:
            aws = [(arn, dict.__getitem__(self, arn)) for arn in aws_arns if dict.__contains__(self, arn)]
            own = [(arn, policy) for arn, policy in dict.items(self) if not arn.startswith(self._prefix)]
            dict.clear(self)
            dict.update(self, aws + own)
            self._backend.aws_managed_policies[:] = [policy for _, policy in aws]
            self._complete = True

    def __missing__(self, arn):
        if self._buildable(arn):
            return self._build(arn)
        raise KeyError(arn)

    def __contains__(self, arn) -> bool:
        return dict.__contains__(self, arn) or self._buildable(arn)

    def get(self, arn, default=None):
        try:
            return self[arn]
        except KeyError:
            return default

    def __delitem__(self, arn) -> None:
        self[arn]  # noqa: B018 (build it first, so a missing ARN raises KeyError as a dict would)
        dict.__delitem__(self, arn)
        if isinstance(arn, str) and arn.startswith(self._prefix):
            self._gone.add(arn)

    def pop(self, arn, *default):
        if arn in self:
            value = self[arn]
            del self[arn]
            return value
        if default:
            return default[0]
        raise KeyError(arn)


def _listing(name: str):
    """The dict method ``name``, after building every policy: for whatever reads the mapping whole."""

    def whole(self, *args, **kwargs):
        self.build_all()
        return getattr(dict, name)(self, *args, **kwargs)

    whole.__name__ = name
    return whole


for _name in ("keys", "values", "items", "__iter__", "__len__", "__repr__", "__eq__", "copy", "popitem"):
    setattr(ManagedPolicies, _name, _listing(_name))
ManagedPolicies.__hash__ = None


def _not_found(message: str):
    from moto.iam.exceptions import NotFoundException

    return NotFoundException(message)


def _found(backend, arn: str, message: str):
    policy = backend.managed_policies.get(arn)
    if policy is None:
        raise _not_found(message)
    return policy


def _attach(owner_kind: str, missing: str, skip_if_attached: bool):
    def attach(self, policy_arn: str, owner_name: str) -> None:
        policy = _found(self, policy_arn, missing.format(arn=policy_arn))
        owner = getattr(self, f"get_{owner_kind}")(owner_name)
        if skip_if_attached and policy.arn in owner.managed_policies:
            return
        policy.attach_to(owner)

    return attach


def _detach(owner_kind: str):
    def detach(self, policy_arn: str, owner_name: str) -> None:
        message = f"Policy {policy_arn} was not found."
        policy = _found(self, policy_arn, message)
        owner = getattr(self, f"get_{owner_kind}")(owner_name)
        if policy.arn not in owner.managed_policies:
            raise _not_found(message)
        policy.detach_from(owner)

    return detach


def _authorization_details(original):
    def get_account_authorization_details(self, policy_filter):
        if isinstance(self.managed_policies, ManagedPolicies):
            self.managed_policies.build_all()
        return original(self, policy_filter)

    return get_account_authorization_details


def install() -> None:
    from moto.iam.models import IAMBackend
    from moto.settings import load_iam_aws_managed_policies

    not_attachable = "Policy {arn} does not exist or is not attachable."
    IAMBackend._init_aws_policies = lambda self: []  # filled as policies are built
    IAMBackend._init_managed_policies = (
        lambda self: ManagedPolicies(self) if load_iam_aws_managed_policies() else {})
    IAMBackend.attach_role_policy = _attach("role", not_attachable, skip_if_attached=False)
    IAMBackend.attach_user_policy = _attach("user", not_attachable, skip_if_attached=False)
    IAMBackend.attach_group_policy = _attach("group", "Policy {arn} was not found.", skip_if_attached=True)
    IAMBackend.detach_role_policy = _detach("role")
    IAMBackend.detach_user_policy = _detach("user")
    IAMBackend.detach_group_policy = _detach("group")
    IAMBackend.get_account_authorization_details = _authorization_details(
        IAMBackend.get_account_authorization_details)
