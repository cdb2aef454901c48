"""Fetching the call journal: an emulator that answers with an error is not reported as stopped."""

import http.server
import threading

import pytest

from labrunner.backends.base import free_port
from labrunner.backends.moto import MotoBackend
from labrunner.errors import EmulatorDown, LabError


@pytest.fixture
def answering(request):
    """A loopback server answering every GET with the status and body given."""
    status, body = request.param

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(status)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield MotoBackend(f"http://127.0.0.1:{server.server_address[1]}")
    server.shutdown()


@pytest.mark.parametrize("answering", [(500, b"boom")], indirect=True)
def test_an_error_answer_names_the_status_not_a_stopped_emulator(answering):
    with pytest.raises(LabError, match="answered the call-journal request with HTTP 500") as raised:
        answering.fetch_journal("123456789012")
    assert not isinstance(raised.value, EmulatorDown)


@pytest.mark.parametrize("answering", [(200, b"<html>not json</html>"), (200, b'{"a": 1}')], indirect=True)
def test_an_unreadable_journal_says_so(answering):
    with pytest.raises(LabError, match="unreadable call journal"):
        answering.fetch_journal("123456789012")


@pytest.mark.parametrize("answering", [(200, b'[{"operation": "ListBuckets"}]')], indirect=True)
def test_a_journal_is_returned_as_sent(answering):
    assert answering.fetch_journal("123456789012") == [{"operation": "ListBuckets"}]


def test_nothing_listening_is_a_stopped_emulator():
    with pytest.raises(EmulatorDown, match="start it with `inv up`"):
        MotoBackend(f"http://127.0.0.1:{free_port()}").fetch_journal("123456789012")
