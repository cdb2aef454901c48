"""Backend adapters by name.

``BACKENDS`` imports an adapter's module the first time it is asked for: a
check on moto never loads the ministack and LocalStack adapters.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from ..errors import LabError
from .base import Backend

ADAPTERS = {"moto": ("moto", "MotoBackend"), "ministack": ("ministack", "MinistackBackend"),
            "localstack": ("localstack", "LocalstackBackend")}


class Adapters(Mapping):
    """``{name: adapter class}``, each module imported on first use."""

    def __getitem__(self, name: str) -> type[Backend]:
        module, cls = ADAPTERS[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), cls)

    def __iter__(self) -> Iterator[str]:
        return iter(ADAPTERS)

    def __len__(self) -> int:
        return len(ADAPTERS)


BACKENDS: Mapping[str, type[Backend]] = Adapters()


def backend_class(name: str) -> type[Backend]:
    try:
        return BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise LabError(f"There is no backend called `{name}`; the backends are: {known}.") from None
