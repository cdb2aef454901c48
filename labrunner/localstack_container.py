"""LocalStack in a Docker container for the test suite, through pytest-localstack.

With ``--backend localstack`` and a Docker daemon that answers, the plugin's
``emulator`` fixture runs the LocalStack image with pytest-localstack's
``LocalstackSession`` (the optional ``localstack`` extra installs it); without
Docker it runs LocalStack's core on the host, as ``inv up`` does.

The image is 4.14, the last community tag that starts without an auth token;
with ``LOCALSTACK_AUTH_TOKEN`` set, the token is passed in and
``LOCALSTACK_IMAGE`` may name a newer tag.  pytest-localstack publishes the
container's ports on every interface; the runner serves loopback only, so the
Docker client it is handed publishes them on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from .backends.declared import LOCALSTACK_CORE_SERVICES

EDGE_PORT = 4566
DEFAULT_IMAGE = "localstack/localstack:4.14"


def docker_client():
    """A client of a Docker daemon that answers, or None (no SDK, no daemon)."""
    try:
        import docker

        client = docker.from_env(timeout=5)
        client.ping()
        return client
    except Exception:  # the SDK raises many kinds when no daemon is there
        return None


def container_available() -> bool:
    try:
        import pytest_localstack  # noqa: F401
    except ImportError:
        return False
    return docker_client() is not None


class LoopbackPorts:
    """Wraps ``client.containers`` so that ``run`` publishes every port on 127.0.0.1 only."""

    def __init__(self, containers) -> None:
        self._containers = containers

    def run(self, image, *args, ports=None, **kwargs):
        loopback = {port: ("127.0.0.1", host) for port, host in (ports or {}).items()}
        return self._containers.run(image, *args, ports=loopback, **kwargs)

    def __getattr__(self, name):
        return getattr(self._containers, name)


class LoopbackDocker:
    """A Docker client whose containers publish on loopback; everything else is the real client."""

    def __init__(self, client) -> None:
        self._client = client
        self.containers = LoopbackPorts(client.containers)

    def __getattr__(self, name):
        return getattr(self._client, name)


def image_tag() -> str:
    image = os.environ.get("LOCALSTACK_IMAGE") if os.environ.get("LOCALSTACK_AUTH_TOKEN") else None
    return (image or DEFAULT_IMAGE).rpartition(":")[2]


def session_services() -> list[str]:
    from pytest_localstack.constants import SERVICE_PORTS

    return sorted(LOCALSTACK_CORE_SERVICES & set(SERVICE_PORTS))


@contextlib.contextmanager
def container_endpoint(client=None) -> Iterator[str]:
    """Start the LocalStack container; yield its loopback endpoint; stop and remove it at the end."""
    from pytest_localstack.session import LocalstackSession

    token = os.environ.get("LOCALSTACK_AUTH_TOKEN")
    session = LocalstackSession(LoopbackDocker(client or docker_client()), services=session_services(),
                                localstack_version=image_tag(), hostname="127.0.0.1",
                                container_env={"SQS_ENDPOINT_STRATEGY": "path",
                                               **({"LOCALSTACK_AUTH_TOKEN": token} if token else {})})
    session.start(timeout=180)
    try:
        yield f"http://127.0.0.1:{session.map_port(EDGE_PORT)}"
    finally:
        session.stop()
