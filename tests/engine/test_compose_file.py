"""docker-compose.yml: the last tokenless LocalStack image, loopback only, a health check, the token passed."""

import shutil
import subprocess

import pytest
import yaml

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


def compose_available() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not compose_available(), reason="the docker compose plugin is not installed here")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(["docker", "compose", "config", "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
