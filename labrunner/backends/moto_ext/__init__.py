"""Small extensions of moto, loaded by the runner's moto launcher only.

Each module in this package may patch moto for one missing operation and may
offer runner endpoints: a module-level ``ROUTES = {"/_labrunner/<name>":
handler}`` where ``handler(environ) -> (status_code, payload)`` answers with
JSON.  Patches must be pinned to the moto range in pyproject.toml, tested in
``tests/engine/``, and written as if they were to be sent upstream.
"""

from __future__ import annotations

import importlib
import pkgutil


def install() -> dict:
    """Import every extension; return the runner endpoints they offer."""
    routes: dict = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        if hasattr(module, "install"):
            module.install()
        routes.update(getattr(module, "ROUTES", {}))
    return routes
