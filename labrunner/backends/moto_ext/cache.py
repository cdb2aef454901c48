"""A Redis-protocol server started with the moto launcher, for the cache labs.

Not a moto patch: moto's ElastiCache keeps metadata only and serves no cache.
``install()`` starts the server (see ``labrunner/cache_server.py``) in the
launcher's main thread, so it stops when the launcher stops; the launcher then
answers ``GET /_labrunner/cache`` with its URL.
"""

from __future__ import annotations

import sys

from ...cache_server import ROUTE, CacheServer, start

_server: CacheServer | None = None
_failure: str | None = None


def install() -> None:
    global _server, _failure
    if _server is not None:
        return
    try:
        _server = start()
    except Exception as exc:  # the emulator must still come up; only the cache labs lose their server
        _failure = f"{type(exc).__name__}: {exc}"
        print(f"labrunner: no cache server ({_failure})", file=sys.stderr, flush=True)
        return
    print(f"labrunner cache server ({_server.kind}) on {_server.url}", flush=True)


def describe(environ) -> tuple[int, dict]:
    if _server is None:
        return 503, {"error": f"no cache server is running ({_failure or 'not started'})"}
    return 200, _server.describe()


ROUTES = {ROUTE: describe}
