"""Shared by the commands: one-sentence failures and the lab being worked on."""

from __future__ import annotations

from dataclasses import dataclass

from .. import paths
from ..backends.base import Backend
from ..catalog import Lab, load
from ..sandbox import Aws, Sandbox
from ..sandboxes import current_sandbox
from ..server import current_backend
from ..render import say


@dataclass
class Attempt:
    """A lab, the backend it runs on and its sandbox."""

    lab: Lab
    backend: Backend
    sandbox: Sandbox

    @property
    def workspace_file(self):
        return paths.workspace_dir() / self.lab.workspace_name

    def checker(self) -> Aws:
        return Aws(self.sandbox, self.backend, code_path=self.workspace_file)

    def learner(self, code_path=None) -> Aws:
        return Aws(self.sandbox, self.backend, as_learner=True, code_path=code_path or self.workspace_file)


def attempt_for(lab_id: str, quiet: bool = False) -> Attempt:
    """Look the lab up, reach the emulator, find or open the lab's sandbox."""
    lab = load().get(lab_id)
    backend = current_backend()
    sandbox, reason = current_sandbox(lab, backend)
    if reason and not quiet:
        if reason == "not started":
            say(f"[dim]{lab.id} had no sandbox yet: opened a fresh one (account {sandbox.account_id}).[/]")
        else:
            say(f"[yellow]The emulator restarted since {lab.id} was handed out, so its sandbox was lost: "
                f"opened a fresh one (account {sandbox.account_id}); run `eval \"$(inv lab.env {lab.id})\"` "
                "again.[/]")
    return Attempt(lab, backend, sandbox)
