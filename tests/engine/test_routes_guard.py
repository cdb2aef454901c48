"""routes.call_status never calls a stage whose API would send the emulator off this machine.

ministack really proxies HTTP and HTTP_PROXY integrations: calling a stage whose method points at
``http://backend.internal/...`` makes it look that host up off the machine.  The guard reads the API's
integrations (stage variables filled in) before any request and refuses with a sentence.
"""

from __future__ import annotations

import types

import pytest

from labrunner import routes


class FakeApiGateway:
    """get_resources / get_stage / get_integration answering from a few integrations."""

    def __init__(self, integrations: dict[str, dict], variables: dict | None = None):
        self.integrations, self.variables = integrations, variables or {}

    def get_resources(self, restApiId, embed, limit):
        items = [{"id": "root", "path": "/", "resourceMethods": {}}]
        for number, (path, integration) in enumerate(self.integrations.items()):
            items.append({"id": f"r{number}", "path": path,
                          "resourceMethods": {"GET": {"httpMethod": "GET", "methodIntegration": integration}}})
        return {"items": items}

    def get_stage(self, restApiId, stageName):
        return {"stageName": stageName, "variables": self.variables}

    def get_integration(self, **kwargs):
        raise AssertionError("the embedded integration should be used")


def fake_aws(integrations: dict[str, dict], variables: dict | None = None):
    backend = types.SimpleNamespace(name="ministack", serves=lambda need: True)
    sandbox = types.SimpleNamespace(checker=types.SimpleNamespace(access_key="111122223333"))
    return types.SimpleNamespace(apigateway=FakeApiGateway(integrations, variables), endpoint="http://127.0.0.1:1",
                                 region="us-east-1", sandbox=sandbox, backend=backend)


@pytest.fixture
def requests_made(monkeypatch) -> list[str]:
    made: list[str] = []

    class Answer:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(request, timeout=None):
        made.append(request.full_url)
        return Answer()

    monkeypatch.setattr(routes.urllib.request, "urlopen", urlopen)
    return made


def proxy(uri: str, kind: str = "HTTP_PROXY") -> dict:
    return {"type": kind, "httpMethod": "GET", "uri": uri}


MOCK = {"type": "MOCK"}


@pytest.mark.parametrize("uri", [
    "http://backend.internal/${stageVariables.tableName}/items",
    "https://example.com/items",
    "http://10.0.0.5:8080/items",
    "http://${stageVariables.missing}/items",
])
def test_refuses_a_stage_that_proxies_off_the_machine(requests_made, uri):
    aws = fake_aws({"/items": proxy(uri), "/health": MOCK}, {"tableName": "items-dev"})
    with pytest.raises(routes.Refused) as refused:
        routes.call_status(aws, "api1", "dev", "items")
    assert requests_made == [], "the stage was called although its API proxies off the machine"
    assert "GET /items" in refused.value.sentence and "127.0.0.1" in refused.value.sentence


def test_refuses_for_an_http_integration_on_another_path(requests_made):
    """ministack routes by path; any method of the API that leaves the machine keeps the whole API uncalled."""
    aws = fake_aws({"/items": MOCK, "/other": proxy("http://backend.internal/x", "HTTP")})
    with pytest.raises(routes.Refused, match="GET /other"):
        routes.call_status(aws, "api1", "dev", "items")
    assert requests_made == []


def test_stage_variables_can_name_a_host_off_the_machine(requests_made):
    aws = fake_aws({"/items": proxy("http://${stageVariables.host}/items")}, {"host": "backend.internal"})
    with pytest.raises(routes.Refused):
        routes.call_status(aws, "api1", "dev", "items")
    assert requests_made == []


@pytest.mark.parametrize("integration", [
    MOCK,
    proxy("http://127.0.0.1:4566/items"),
    proxy("http://localhost:9000/${stageVariables.tableName}"),
    proxy("http://[::1]:9000/items", "HTTP"),
    {"type": "AWS_PROXY", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations"},
])
def test_calls_a_stage_that_stays_on_the_machine(requests_made, integration):
    aws = fake_aws({"/items": integration}, {"tableName": "items-dev"})
    assert routes.call_status(aws, "api1", "dev", "items") == 200
    assert requests_made == ["http://127.0.0.1:1/restapis/api1/dev/_user_request_/items"]


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True), ("LOCALHOST.", True), ("::1", True),
    ("backend.internal", False), ("localhost.example.com", False), ("10.0.0.1", False), (None, False), ("", False),
])
def test_loopback_hosts(host, loopback):
    assert routes.is_loopback(host) is loopback
