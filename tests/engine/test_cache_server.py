"""The cache labs' Redis-protocol server: both kinds, and the emulator's announcement."""

import shutil

import pytest
import redis

from labrunner import cache_server

KINDS = ["fakeredis", pytest.param("redis-server", marks=pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"))]


@pytest.mark.parametrize("kind", KINDS)
def test_server_serves_redis_with_ttls_and_stops(kind):
    server = cache_server.start(kind)
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        client.set("123456789012:item:1", '{"id": "1"}', ex=60)
        assert client.get("123456789012:item:1") == '{"id": "1"}'
        assert 0 < client.ttl("123456789012:item:1") <= 60
        assert server.url.startswith("redis://127.0.0.1:")
    finally:
        server.stop()
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(server.url, socket_connect_timeout=1).ping()


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        cache_server.start("memcached")


def test_moto_launcher_announces_a_working_cache(emulator):
    url = cache_server.url_for(emulator.endpoint)
    assert url and url.startswith("redis://127.0.0.1:")
    assert redis.Redis.from_url(url).ping()


def test_no_cache_server_means_no_url():
    assert cache_server.url_for("http://127.0.0.1:9") is None
