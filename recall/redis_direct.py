"""Redis commands of the signing path sent on a connection of their own, without redis-py's
per-command machinery (issue 12).

A command through ``Redis.execute_command`` costs about 110 µs of client CPU in redis-py 8 (the
pool's check-out and check-in with their metrics hooks, the retry wrapper, packing the
arguments anew), three times what sending an already packed command and reading its reply
costs; a signature makes two (its budgets, ``recall.rate_limits``; the drain request,
``recall.notifications.queue``), about a tenth of its CPU. :class:`DirectCommands` keeps one
connection per thread and process, made with the client's own settings (host, database,
timeouts, TLS), and packs commands itself.

Errors are redis-py's (``ConnectionError``, ``TimeoutError``, ``ResponseError``), as from the
client, so callers keep their fallbacks. A connection that fails is dropped; when it had
answered before (Redis restarted since), the command is sent once more on a new one, as
redis-py's retry would.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Sequence

from redis import Redis
from redis.connection import AbstractConnection
from redis.exceptions import ConnectionError, NoScriptError, TimeoutError


class DirectCommands:
    """Commands for the server and database of ``client``, on this module's connections."""

    def __init__(self, client: Redis):
        pool = client.connection_pool
        self._make = lambda: pool.connection_class(**pool.connection_kwargs)
        self._local = threading.local()

    def _connection(self) -> tuple[AbstractConnection, bool]:
        """This thread's connection and whether it has been used (made anew after a fork)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.connection, local.pid, local.used = self._make(), os.getpid(), False
        return local.connection, local.used

    @staticmethod
    def packed(*args: str | bytes | int) -> bytes:
        """``args`` as the wire format (RESP), for :meth:`execute`; strings in UTF-8, numbers in
        decimal, as redis-py packs them (its packer is pure Python, and a tenth of this module's
        cost: constant commands are packed once)."""
        parts = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode("utf-8")
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        return b"".join(parts)

    def execute(self, packed: bytes):
        """Send a command :meth:`packed` made and return its reply; raise what redis-py would."""
        connection, used = self._connection()
        try:
            return self._send(connection, packed)
        except (ConnectionError, TimeoutError, OSError):
            connection.disconnect()
            if not used:
                raise
        self._local.used = False  # a stale connection (Redis restarted): once more, anew
        connection, _used = self._connection()
        try:
            return self._send(connection, packed)
        except (ConnectionError, TimeoutError, OSError):
            connection.disconnect()
            raise

    def _send(self, connection: AbstractConnection, packed: bytes):
        connection.send_packed_command([packed], check_health=False)
        reply = connection.read_response()
        self._local.used = True
        return reply

    def evalsha(self, script: str, sha: str, keys: Sequence, args: Sequence):
        """``EVALSHA``, loading ``script`` with ``EVAL`` when the server does not have it."""
        count = len(keys)
        try:
            return self.execute(self.packed("EVALSHA", sha, count, *keys, *args))
        except NoScriptError:
            return self.execute(self.packed("EVAL", script, count, *keys, *args))


_for_clients: weakref.WeakKeyDictionary[Redis, DirectCommands] = weakref.WeakKeyDictionary()
_for_clients_lock = threading.Lock()


def for_client(client: Redis) -> DirectCommands:
    """The :class:`DirectCommands` of ``client`` (one per client, gone with it)."""
    direct = _for_clients.get(client)
    if direct is None:
        with _for_clients_lock:
            direct = _for_clients.setdefault(client, DirectCommands(client))
    return direct
