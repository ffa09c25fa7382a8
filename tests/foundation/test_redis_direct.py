"""recall.redis_direct: the signing path's Redis commands on a connection of their own answer as
the client would, load a script the server lacks, survive a restarted server and raise
redis-py's errors while it is down (the callers' fallbacks depend on those)."""

from __future__ import annotations

import pytest
from redis import Redis
from redis.exceptions import ConnectionError

from recall import redis_direct
from tests.notifications.test_redis_outage import redis_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.redis

SCRIPT = "return redis.call('incrby', KEYS[1], ARGV[1])"


def test_commands_and_a_script_the_server_lacks(redis_server):
    client = Redis.from_url(redis_server.url)
    direct = redis_direct.for_client(client)
    assert redis_direct.for_client(client) is direct
    set_nx = direct.packed("SET", "direct:flag", 1, "NX", "EX", 10)
    assert direct.execute(set_nx) == b"OK"
    assert direct.execute(set_nx) is None  # NX: already set
    assert 0 < client.ttl("direct:flag") <= 10
    sha = client.script_load(SCRIPT)
    client.script_flush()  # EVALSHA answers NOSCRIPT: sent again as EVAL, which loads it
    assert direct.evalsha(SCRIPT, sha, ["direct:count"], [3]) == 3
    assert client.script_exists(sha) == [True]
    assert direct.evalsha(SCRIPT, sha, ["direct:count"], [2]) == 5


def test_a_restarted_server_is_reconnected_and_a_stopped_one_raises(redis_server):
    client = Redis.from_url(redis_server.url, socket_connect_timeout=1, socket_timeout=1)
    direct = redis_direct.for_client(client)
    ping = direct.packed("PING")
    assert direct.execute(ping) in (b"PONG", True)
    redis_server.stop()
    redis_server.start()  # the connection is stale now: sent again on a new one
    assert direct.execute(ping) in (b"PONG", True)
    redis_server.stop()
    with pytest.raises(ConnectionError):
        direct.execute(ping)
    with pytest.raises(ConnectionError):  # and again, without a stale connection to retry
        direct.execute(ping)
    redis_server.start()
    assert direct.execute(ping) in (b"PONG", True)
