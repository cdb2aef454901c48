"""LocalStack through pytest-localstack's container session, with a stand-in Docker daemon.

There is no Docker daemon on the machines this suite runs on, so the Docker
client is a recording fake: what is proven is what the runner asks Docker for
(image tag, loopback-only ports, token passed through, the container stopped),
through pytest-localstack's real ``LocalstackSession.start``.
"""

import pytest
from pytest_localstack.session import LocalstackSession

from labrunner import localstack_container, private_server
from labrunner.localstack_container import LoopbackDocker, container_endpoint


class FakeContainer:
    id = short_id = "c0ffee"

    def __init__(self) -> None:
        self.stopped = False

    def logs(self, **_):
        return iter(())

    def stop(self, timeout=10):
        self.stopped = True


class FakeDocker:
    """Records what a Docker client is asked to do; publishes the edge port on host port 45660."""

    def __init__(self) -> None:
        self.runs, self.pulled, self.container = [], [], FakeContainer()
        self.images = type("Images", (), {"pull": lambda _, image: self.pulled.append(image)})()
        self.containers = type("Containers", (), {"run": self._run})()
        self.api = type("Api", (), {"port": lambda _, cid, port: [{"HostIp": "127.0.0.1", "HostPort": "45660"}]})()

    def _run(self, image, **kwargs):
        self.runs.append((image, kwargs))
        return self.container


@pytest.fixture
def docker(monkeypatch):
    monkeypatch.setattr(LocalstackSession, "_check_services", lambda self, timeout: None)
    monkeypatch.delenv("LOCALSTACK_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("LOCALSTACK_IMAGE", raising=False)
    return FakeDocker()


def test_ports_are_published_on_loopback_only(docker):
    LoopbackDocker(docker).containers.run("img", ports={4566: None, 4510: 4510})
    assert docker.runs[0][1]["ports"] == {4566: ("127.0.0.1", None), 4510: ("127.0.0.1", 4510)}


def test_the_session_runs_the_tokenless_image_on_loopback_and_stops_it(docker):
    with container_endpoint(docker) as endpoint:
        assert endpoint == "http://127.0.0.1:45660"
        image, run = docker.runs[0]
        assert image == "localstack/localstack:4.14" and docker.pulled == [image]
        assert set(run["ports"].values()) == {("127.0.0.1", None)}
        assert "LOCALSTACK_AUTH_TOKEN" not in run["environment"]
        services = {pair.split(":")[0] for pair in run["environment"]["SERVICES"].split(",")}
        assert {"s3", "sqs", "sts"} <= services and "dynamodb" not in services  # the declared subset
        assert not docker.container.stopped
    assert docker.container.stopped


def test_a_token_is_passed_in_and_may_choose_a_newer_image(docker, monkeypatch):
    monkeypatch.setenv("LOCALSTACK_AUTH_TOKEN", "ls-token")
    monkeypatch.setenv("LOCALSTACK_IMAGE", "localstack/localstack:2026.4")
    with container_endpoint(docker):
        image, run = docker.runs[0]
    assert image == "localstack/localstack:2026.4" and run["environment"]["LOCALSTACK_AUTH_TOKEN"] == "ls-token"


def test_a_newer_image_without_a_token_is_not_used(docker, monkeypatch):
    monkeypatch.setenv("LOCALSTACK_IMAGE", "localstack/localstack:2026.4")
    with container_endpoint(docker):
        assert docker.runs[0][0] == "localstack/localstack:4.14"


def test_no_daemon_means_no_container(monkeypatch):
    import docker as sdk

    def refuse(**_):
        raise sdk.errors.DockerException("no daemon")

    monkeypatch.setattr(sdk, "from_env", refuse)
    assert localstack_container.docker_client() is None
    assert not localstack_container.container_available()


def test_the_suite_uses_the_container_when_docker_answers(monkeypatch, tmp_path):
    monkeypatch.setattr(localstack_container, "container_available", lambda: True)
    monkeypatch.setattr(localstack_container, "container_endpoint", lambda: _endpoint("http://127.0.0.1:45661"))
    with private_server.suite_emulator("localstack", tmp_path) as backend:
        assert backend.name == "localstack" and backend.endpoint == "http://127.0.0.1:45661"


def _endpoint(url):
    import contextlib

    @contextlib.contextmanager
    def running():
        yield url

    return running()
