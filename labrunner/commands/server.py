"""``inv up``, ``inv status``, ``inv down``."""

from __future__ import annotations

from .. import server
from ..render import out, say


def up(backend: str = "moto", port: int | None = None, endpoint: str | None = None) -> None:
    started = server.up(backend, port, endpoint)
    where = started.backend.endpoint
    if started.already_running:
        out.print(f"The {started.backend.name} emulator is already running at {where}.")
        return
    if started.moved_from_port:
        say(f"[yellow]Port {started.moved_from_port} is taken, so the emulator uses port "
            f"{where.rsplit(':', 1)[1]} instead.[/]")
    log = f" (log: {started.log_path})" if started.log_path else " (started outside the runner)"
    out.print(f"[green]✔[/] The {started.backend.name} emulator is running at {where}{log}.")
    out.print("Next: `inv labs` to see the catalogue, `inv lab.start <id>` to begin.")


def status(as_json: bool = False) -> int:
    record = server.status()
    if as_json:
        from ..render import as_json as dump

        dump(record or {"healthy": False})
    elif record is None:
        out.print("No emulator is running: start one with `inv up`.")
    elif record["healthy"]:
        out.print(f"The {record['backend']} emulator is running at {record['endpoint']} "
                  f"(pid {record['pid']}, log: {record['log']}).")
    else:
        out.print(f"The {record['backend']} emulator recorded at {record['endpoint']} does not answer: "
                  "start it again with `inv up`.")
    return 0 if record and record["healthy"] else 1


def down() -> None:
    stopped = server.down()
    if stopped is None:
        out.print("No emulator was running.")
    else:
        out.print(f"Stopped the {stopped['backend']} emulator at {stopped['endpoint']}.")
