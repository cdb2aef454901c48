"""Backend adapters by name."""

from ..errors import LabError
from .base import Backend
from .localstack import LocalstackBackend
from .ministack import MinistackBackend
from .moto import MotoBackend

BACKENDS: dict[str, type[Backend]] = {"moto": MotoBackend, "ministack": MinistackBackend,
                                      "localstack": LocalstackBackend}


def backend_class(name: str) -> type[Backend]:
    try:
        return BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise LabError(f"There is no backend called `{name}`; the backends are: {known}.") from None
