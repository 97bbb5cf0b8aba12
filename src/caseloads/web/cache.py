"""A small in-process cache of service results.

The pages and the API call services through :func:`ServiceCache.call`. A result is kept per
(service, its arguments) and is served again only while the database's data version
(:func:`caseloads.services.batches.data_version`: the newest batch) is unchanged and for at most
``ttl`` seconds (60 by default: weighting schemes and other settings are not batches; past the
TTL the old result is served while one request computes the next). A result is computed by one
request at a time; the others asking for it meanwhile wait for it. Each uvicorn worker has its
own cache. The figures are the same whether cached or not; only the
work of computing them is saved (a caseload picture or a year of demand takes 0.5-1 s on the
synthetic council, a cached answer well under a millisecond).

Each stored result gets a serial number. A request can record which results it was given
(:func:`trace_calls`); the pages use that record as part of the key of their rendered HTML
(:class:`FragmentCache`), so that a page is rendered again exactly when one of the results it
shows was computed again (a new batch, the TTL, different arguments).
"""

from __future__ import annotations

import contextvars
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from caseloads.services.batches import data_version
from caseloads.services.database import Database

#: The serial numbers of the service results used by the request being served (None for a call
#: that raised), when the request asked for them with :func:`trace_calls`.
_TRACE: contextvars.ContextVar[list[int | None] | None] = contextvars.ContextVar(
    "caseloads_service_trace", default=None
)


def trace_calls() -> list[int | None]:
    """Record, from now on in this request's context, the serial number of every service result
    :meth:`ServiceCache.call` gives (None when a call raised); returns the list it fills."""
    trace: list[int | None] = []
    _TRACE.set(trace)
    return trace


class ServiceCache:
    """Results of service calls on one database, by arguments and data version."""

    def __init__(self, db: Database, *, ttl: float = 60.0, size: int = 512) -> None:
        self.db = db
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[Hashable, tuple[float, tuple[int, int], Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._version: tuple[float, tuple[int, int]] | None = None
        self._serials = itertools.count(1)
        self._running: dict[Hashable, threading.Event] = {}

    def version(self) -> tuple[int, int]:
        """The data version, read at most once a second."""
        now = time.monotonic()
        known = self._version
        if known is not None and now - known[0] < 1.0:
            return known[1]
        current = data_version(self.db)
        self._version = (now, current)
        return current

    def call(self, service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``service(db, *args, **kwargs)``, from the cache when fresh. Errors are not cached.

        One computation per key at a time: while a result is being computed, other requests
        for the same key wait for it rather than compute it too (20 clients recomputing a
        1-second service at once, each slowed by the others, took seconds each). A result past
        its TTL whose data version is still current is served while one request computes its
        successor (so settings that are not batches are at most TTL plus one computation old).
        """
        key = (service.__module__, service.__qualname__, _frozen(args), _frozen(kwargs))
        trace = _TRACE.get()
        while True:
            version = self.version()
            now = time.monotonic()
            with self._lock:
                hit = self._items.get(key)
                usable = hit is not None and hit[1] == version
                if hit is not None and usable and now - hit[0] < self.ttl:
                    self._items.move_to_end(key)
                    return self._traced(trace, hit)
                running = self._running.get(key)
                if running is None:
                    running = self._running[key] = threading.Event()
                    break  # this request computes
                if hit is not None and usable:
                    return self._traced(trace, hit)  # stale but current data: while refreshed
            running.wait(timeout=120)
        try:
            result = service(self.db, *args, **kwargs)
        except BaseException:
            with self._lock:
                self._running.pop(key, None)
            running.set()  # the waiters try for themselves
            if trace is not None:
                trace.append(None)
            raise
        with self._lock:
            serial = next(self._serials)
            self._items[key] = (now, version, result, serial)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            self._running.pop(key, None)
        running.set()
        if trace is not None:
            trace.append(serial)
        return result

    @staticmethod
    def _traced(
        trace: list[int | None] | None, hit: tuple[float, tuple[int, int], Any, int]
    ) -> Any:
        if trace is not None:
            trace.append(hit[3])
        return hit[2]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
        self._version = None


class FragmentCache:
    """Rendered HTML by key, least recently used dropped first, at most ``max_bytes`` of text
    in all (one worker process's own). The pages' keys (``render.Page.respond``) hold the
    template, the path and query, the principal's scope and the serial numbers of the service
    results shown, so an entry is never served to a principal of another scope nor after its
    data changed."""

    def __init__(self, max_bytes: int = 32 << 20) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, html: str) -> None:
        if len(html) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._items[key] = html
            self._size += len(html)
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._items)


def _frozen(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value  # type: ignore[no-any-return]
