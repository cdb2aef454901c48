"""Errors a learner sees as one sentence and an exit code, never a traceback."""


class LabError(Exception):
    """A condition the runner explains in one sentence; exit code 2 by default."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class EmulatorDown(LabError):
    def __init__(self, endpoint: str | None = None) -> None:
        where = f" at {endpoint}" if endpoint else ""
        super().__init__(f"The emulator is not running{where}: start it with `inv up`.")


class UnknownLab(LabError):
    def __init__(self, lab_id: str, suggestions: list[str]) -> None:
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else " Run `inv labs` to see them."
        super().__init__(f"There is no lab called `{lab_id}`.{hint}")
