"""Open, find and replace the sandbox of each lab (``sandboxes.json``)."""

from __future__ import annotations

from . import cache_server, paths
from .backends.base import Backend
from .catalog import Lab
from .errors import LabError
from .sandbox import Aws, Sandbox
from .store import JsonStore


def _store() -> JsonStore:
    return JsonStore(paths.state_dir() / "sandboxes.json")


def new_sandbox(lab: Lab, backend: Backend) -> Sandbox:
    """Mint a fresh account for the lab and apply its setup there."""
    info = backend.require()
    account = backend.mint_sandbox()
    sandbox = Sandbox(
        lab_id=lab.id, backend=backend.name, endpoint=backend.endpoint, boot_id=info.get("boot_id", ""),
        account_id=account.account_id, learner=account.learner, checker=account.checker,
        names=lab.resolve_names(account.account_id), cache_url=cache_server.url_for(backend.endpoint),
    )
    apply_setup(lab, Aws(sandbox, backend))
    return sandbox


def apply_setup(lab: Lab, aws: Aws) -> None:
    setup = getattr(lab.check_module(), "setup", None)
    if setup is None:
        return
    try:
        setup(aws)
    except Exception as exc:
        raise LabError(f"Setting up {lab.id} in its sandbox failed ({type(exc).__name__}: {exc}); "
                       "this is a bug in the lab, please report it.") from None


def open_sandbox(lab: Lab, backend: Backend) -> Sandbox:
    return store_sandbox(new_sandbox(lab, backend))


def store_sandbox(sandbox: Sandbox) -> Sandbox:
    """Make ``sandbox`` the lab's current one (what `inv lab.env` prints)."""
    with _store().update() as data:
        data[sandbox.lab_id] = sandbox.to_dict()
    return sandbox


def find_sandbox(lab: Lab, backend: Backend) -> tuple[Sandbox | None, str | None]:
    """The lab's live sandbox, or None and the reason it is gone."""
    record = _store().read().get(lab.id)
    if record is None:
        return None, "not started"
    sandbox = Sandbox.from_dict(record)
    info = backend.require()
    if sandbox.endpoint != backend.endpoint or sandbox.boot_id != info.get("boot_id", ""):
        return None, "the emulator restarted"
    return sandbox, None


def current_sandbox(lab: Lab, backend: Backend) -> tuple[Sandbox, str | None]:
    """The lab's sandbox, opening a new one when needed; also says why it is new."""
    sandbox, reason = find_sandbox(lab, backend)
    if sandbox is not None:
        return sandbox, None
    return open_sandbox(lab, backend), reason


def forget(lab_id: str) -> None:
    with _store().update() as data:
        data.pop(lab_id, None)
