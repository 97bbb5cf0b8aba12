"""A short-lived, in-process cache of principals (who a session cookie or an API token is).

Without it every request reads the account and its scopes from the database (two queries, and
on PostgreSQL two round trips) before any route runs. With it, a principal read for a session
is kept for :data:`TTL` seconds under the key ``("session", username, generation)`` and one read
for a bearer token under ``("token", sha256 of the token)`` (the token itself is never kept).

Rules, so that no request is served with rights it no longer has for longer than the TTL:

- The session generation is part of the key: a cookie of an older or newer generation than the
  cached one never matches it, and is checked against the database.
- Signing out through this server (``POST /logout``) forgets every entry of the user at once in
  this process; the cookie of that session is refused by this process from the next request.
- Changes made elsewhere (another worker process, or the command line: ``caseloads users
  disable``, ``password``, ``revoke-tokens``, a sign-out served by another worker) reach this
  process when its entry expires, at most :data:`TTL` seconds later. Failures (unknown,
  revoked, disabled, ended) are never cached: they are read from the database every time.
- Entries are dropped after :data:`TTL` seconds whatever their use, and the cache holds at most
  ``size`` entries (least recently stored dropped first).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from caseloads.domain.access import Principal

#: Seconds a principal is served from the cache before the database is asked again.
TTL = 2.0


def session_key(username: str, generation: int) -> tuple[str, str, int]:
    return ("session", username, generation)


def token_key(token: str) -> tuple[str, str]:
    return ("token", hashlib.sha256(token.encode("utf-8")).hexdigest())


class PrincipalCache:
    """Principals by session (username, generation) or token digest, for ``ttl`` seconds."""

    def __init__(
        self,
        ttl: float = TTL,
        size: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._items: OrderedDict[Hashable, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Principal | None:
        """The cached principal of ``key``, or None when absent or expired."""
        now = self.clock()
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            if now >= hit[0]:
                del self._items[key]
                return None
            return hit[1]

    def put(self, key: Hashable, principal: Principal) -> None:
        """Keep ``principal`` under ``key`` for the TTL (nothing is kept when the TTL is 0)."""
        if self.ttl <= 0:
            return
        expires = self.clock() + self.ttl
        with self._lock:
            self._items[key] = (expires, principal)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def lookup(self, key: Hashable, load: Callable[[], Principal | None]) -> Principal | None:
        """The principal of ``key`` from the cache, else from ``load()`` (kept when found)."""
        found = self.get(key)
        if found is not None:
            return found
        found = load()
        if found is not None:
            self.put(key, found)
        return found

    def forget_user(self, username: str) -> None:
        """Drop every entry of ``username`` (their sessions and tokens)."""
        with self._lock:
            for key in [k for k, (_, p) in self._items.items() if p.username == username]:
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
