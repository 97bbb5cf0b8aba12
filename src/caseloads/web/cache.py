"""A small in-process cache of service results.

The pages and the API call services through :func:`ServiceCache.call`. A result is kept per
(service, its arguments) and is served again only while the database's data version
(:func:`caseloads.services.batches.data_version`: the newest batch) is unchanged and for at most
``ttl`` seconds (60 by default: weighting schemes and other settings are not batches). Each
uvicorn worker has its own cache. The figures are the same whether cached or not; only the
work of computing them is saved (a caseload picture or a year of demand takes 0.5-1 s on the
synthetic council, a cached answer well under a millisecond).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from caseloads.services.batches import data_version
from caseloads.services.database import Database


class ServiceCache:
    """Results of service calls on one database, by arguments and data version."""

    def __init__(self, db: Database, *, ttl: float = 60.0, size: int = 512) -> None:
        self.db = db
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[Hashable, tuple[float, tuple[int, int], Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._version: tuple[float, tuple[int, int]] | None = None

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
        """``service(db, *args, **kwargs)``, from the cache when fresh. Errors are not cached."""
        key = (service.__module__, service.__qualname__, _frozen(args), _frozen(kwargs))
        version = self.version()
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[1] == version and now - hit[0] < self.ttl:
                self._items.move_to_end(key)
                return hit[2]
        result = service(self.db, *args, **kwargs)
        with self._lock:
            self._items[key] = (now, version, result)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return result

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
        self._version = None


def _frozen(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value  # type: ignore[no-any-return]
