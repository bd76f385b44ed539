"""A per-process copy of Redis keys that Redis itself keeps true.

Why our own: a page-cache hit spent about 40 % of its CPU, and most of its
wait, on its one GET to the shared Redis. Redis's client-side caching
(``CLIENT TRACKING``, Redis 6+) tells a client whenever a key it has read is
written, deleted, expired or evicted, so a copy held in the process stays
true without asking. redis-py's own support (``cache_config``) needs RESP3
and refuses servers older than 7.4, and Django's cache has none; tracking in
RESP2 sends its messages to a second connection, subscribed to
``__redis__:invalidate``, which is what this does.

Why it never serves what has changed:

* Keys are read on one connection with tracking on, redirected to a second,
  subscribed one. Redis writes an invalidation while it carries out the
  change, in the same event-loop pass as its reply to the writer, so it is
  in this process's socket before the writer (another node's publish) has
  even been told the change is done.
* Every lookup first drains, without waiting, whatever has arrived. A value
  read is stored before the next drain, so an invalidation sent after the
  read is always seen (the race Redis's documentation warns of needs the two
  connections read concurrently, which the lock rules out).
* An error on either connection (a killed or restarted Redis, a broken
  socket) or a new process (after a fork the sockets are shared with the
  parent) throws the whole copy away; until it has reconnected a lookup
  answers ``UNKNOWN`` and the caller asks the shared cache as before.
* An entry also lapses after ``max_age`` seconds, or when Redis would expire
  the key, whichever is first: a bound should a connection die silently.
"""

import contextlib
import os
import threading
import time
from collections import OrderedDict

import redis

CHANNEL = "__redis__:invalidate"
# Answered when the copy cannot vouch for a key: ask the shared cache.
UNKNOWN = object()
# After a failed connection, how long lookups go straight to the shared cache
# before trying again (so a Redis outage is not met with a connect per request).
RETRY_SECONDS = 5.0


class TrackedCopy:
    def __init__(self, url, *, loads, max_entries, max_age):
        self.url = url
        self.loads = loads
        self.max_entries = max_entries
        self.max_age = max_age
        self._lock = threading.Lock()
        self._data = self._notes = None
        self._pid = None
        self._retry_at = 0.0
        # Redis key -> (monotonic deadline, value); least recently used first.
        self._entries = OrderedDict()

    def get(self, key):
        """The value under the full Redis key ``key`` (None when Redis has
        none), or ``UNKNOWN``."""
        with self._lock:
            now = time.monotonic()
            try:
                if self._pid != os.getpid():
                    if now < self._retry_at:
                        return UNKNOWN
                    self._connect()
                self._drain()
                entry = self._entries.get(key)
                if entry is not None and entry[0] > now:
                    self._entries.move_to_end(key)
                    return entry[1]
                # Reading the key on the tracking connection is what makes
                # Redis tell us of its next change.
                self._data.send_packed_command(
                    self._data.pack_commands([("GET", key), ("PTTL", key)])
                )
                raw, ttl_ms = self._data.read_response(), self._data.read_response()
            except (redis.RedisError, OSError):
                self._drop(retry_at=now + RETRY_SECONDS)
                return UNKNOWN
            value = None if raw is None else self.loads(raw)
            lifetime = self.max_age if ttl_ms < 0 else min(self.max_age, ttl_ms / 1000)
            self._entries[key] = (now + lifetime, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
            return value

    def _connect(self):
        self._drop()
        pool = redis.ConnectionPool.from_url(self.url, protocol=2)
        notes = self._notes = pool.make_connection()
        notes.connect()
        notes.send_command("CLIENT", "ID")
        notes_id = notes.read_response()
        notes.send_command("SUBSCRIBE", CHANNEL)
        notes.read_response()
        data = self._data = pool.make_connection()
        data.connect()
        data.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", notes_id)
        data.read_response()
        self._pid = os.getpid()

    def _drain(self):
        # Between lookups nothing is owed on the data connection: if it is
        # readable, Redis has closed it and its tracking with it (``can_read``
        # raises on a closed socket).
        if self._data.can_read(timeout=0):
            raise redis.ConnectionError("tracking connection readable when idle")
        while self._notes.can_read(timeout=0):
            kind, _channel, keys = self._notes.read_response()
            if kind != b"message":
                continue
            if keys is None:  # FLUSHDB, FLUSHALL: everything
                self._entries.clear()
                continue
            for name in keys:
                self._entries.pop(name.decode(), None)

    def _drop(self, retry_at=0.0):
        """Forget everything and close both connections (a forked child only
        closes its own copies of the sockets)."""
        self._entries.clear()
        for connection in (self._data, self._notes):
            if connection is not None:
                with contextlib.suppress(redis.RedisError, OSError):
                    connection.disconnect()
        self._data = self._notes = None
        self._pid = None
        self._retry_at = retry_at
