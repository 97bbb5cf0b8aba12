"""The rendered-page cache (``render.Page.respond`` over ``cache.FragmentCache``), the service
results' serial numbers it is keyed on, and the service cache's one computation per key: one
app serving several principals in turn gives each exactly the page a fresh app would give
them, the handler's checks and audit entries still run on every request, and a page is
rendered again when the service results change."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import LA, OTHER_TEAM, OWN_TEAM

from caseloads.config import Settings
from caseloads.services import users
from caseloads.services.database import open_database
from caseloads.web import access
from caseloads.web.cache import FragmentCache, ServiceCache, trace_calls

CSRF = re.compile(r'name="csrf_token" value="[^"]*"')

ANALYST = access.Principal("ann", "analyst", (LA,), ())
OWN_MANAGER = access.Principal("max", "manager", (LA,), (OWN_TEAM,))
OTHER_MANAGER = access.Principal("mo", "manager", (LA,), (OTHER_TEAM,))
VIEWER = access.Principal("vic", "viewer", (LA,), ())


class Shared:
    """One app whose signed-in principal the test changes between requests."""

    def __init__(self, settings: Settings) -> None:
        from caseloads.web.app import create_app

        self.principal: access.Principal = ANALYST
        self.app = create_app(settings)
        self.app.dependency_overrides[access.current_principal] = lambda: self.principal
        self.client = TestClient(self.app, raise_server_exceptions=False)

    def get(self, principal: access.Principal, url: str) -> Any:
        self.principal = principal
        return self.client.get(url)


@pytest.fixture
def shared(loaded: Settings) -> Iterator[Shared]:
    site = Shared(loaded)
    with site.client:
        yield site


@pytest.fixture
def reference(loaded: Settings) -> Iterator[Shared]:
    """An app that renders every page afresh (no rendered-page cache): what each principal
    should get."""
    site = Shared(loaded)
    site.app.state.fragments = None
    with site.client:
        yield site


def comparable(html: str) -> str:
    return CSRF.sub('name="csrf_token" value=""', html)


def test_each_principal_gets_the_page_of_their_own_scope(shared: Shared, reference: Shared) -> None:
    urls = ["/caseloads", "/caseloads?as_of=2026-03-31", "/"]
    for url in urls:
        for who in (ANALYST, OWN_MANAGER, OTHER_MANAGER, VIEWER, ANALYST, OWN_MANAGER):
            answer = shared.get(who, url)
            assert answer.status_code == 200, (url, who)
            expected = reference.get(who, url)
            assert comparable(answer.text) == comparable(expected.text), (url, who)
    # Rendered once per scope and URL (four scopes), then served from the cache.
    assert len(shared.app.state.fragments) == 4 * len(urls)
    # The caseloads page of one manager never shows the other team's drill-down link.
    own = shared.get(OWN_MANAGER, "/caseloads").text
    assert f"team={OWN_TEAM}" in own and f"team={OTHER_TEAM}" not in own
    assert f"team={OTHER_TEAM}" in shared.get(ANALYST, "/caseloads").text


def test_checks_and_audit_run_on_every_request(shared: Shared, loaded: Settings) -> None:
    url = f"/caseloads?team={OWN_TEAM}"
    db = open_database(loaded)
    try:
        before = len(users.audit_log(db))
        assert shared.get(ANALYST, url).status_code == 200
        assert shared.get(ANALYST, url).status_code == 200
        assert shared.get(OWN_MANAGER, url).status_code == 200
        # Cached for the analyst, still refused to a manager of another team and to a viewer.
        assert shared.get(OTHER_MANAGER, url).status_code == 403
        assert shared.get(VIEWER, url).status_code == 403
        views = [e for e in users.audit_log(db)[before:] if e["action"] == "view_workers"]
    finally:
        db.dispose()
    # Each page view records its worker-level views (the team's list and everyone's for the
    # managers-holding-cases table), cached or not.
    assert [e["username"] for e in views].count("ann") == 4
    assert [e["username"] for e in views].count("max") == 2


def test_new_service_results_render_the_page_again(shared: Shared) -> None:
    first = shared.get(ANALYST, "/caseloads").text
    assert len(shared.app.state.fragments) == 1
    shared.get(ANALYST, "/caseloads")
    assert len(shared.app.state.fragments) == 1
    shared.app.state.cache.clear()  # as after a new batch or the TTL: results computed again
    again = shared.get(ANALYST, "/caseloads").text
    assert len(shared.app.state.fragments) == 2
    assert comparable(again) == comparable(first)


def test_data_page_is_not_kept(shared: Shared) -> None:
    """Its content holds the session's CSRF token (the upload form)."""
    assert shared.get(ANALYST, "/data").status_code == 200
    assert len(shared.app.state.fragments) == 0


def test_service_serials(loaded: Settings) -> None:
    db = open_database(loaded)
    try:
        cache = ServiceCache(db)
        calls: list[int] = []

        def service(_db: object, x: int) -> list[int]:
            calls.append(x)
            if x < 0:
                raise ValueError("no")
            return [x]

        trace = trace_calls()
        assert cache.call(service, 1) == [1] and cache.call(service, 1) == [1]
        assert cache.call(service, 2) == [2]
        with pytest.raises(ValueError):
            cache.call(service, -1)
        assert calls == [1, 2, -1]
        assert trace[0] == trace[1] and trace[2] != trace[0] and trace[3] is None
        cache.clear()
        cache.call(service, 1)
        assert trace[4] not in trace[:4]  # a result computed again has a new serial
    finally:
        db.dispose()


def test_fragment_cache_is_bounded() -> None:
    cache = FragmentCache(max_bytes=100)
    for key in "abcd":
        cache.put(key, key * 24)
    assert cache.get("a") == "a" * 24  # now the most recently used
    cache.put("e", "e" * 24)  # 120 bytes: over the bound, the least recently used goes
    assert cache.get("b") is None and cache.get("a") and cache.get("e") and len(cache) == 4
    cache.put("f", "f" * 30)  # larger than a quarter of the bound: not kept
    assert cache.get("f") is None and len(cache) == 4


def test_one_computation_per_key_and_stale_while_refreshed(loaded: Settings) -> None:
    """Concurrent requests for one result wait for a single computation; past the TTL, with
    the data version unchanged, the old result is served while one request computes anew."""
    db = open_database(loaded)
    try:
        cache = ServiceCache(db, ttl=0.2)
        calls: list[int] = []
        release = threading.Event()

        def service(_db: object) -> int:
            calls.append(1)
            release.wait(timeout=10)
            return len(calls)

        with ThreadPoolExecutor(max_workers=6) as pool:
            first = [pool.submit(cache.call, service) for _ in range(6)]
            time.sleep(0.1)
            release.set()
            assert [f.result(timeout=10) for f in first] == [1] * 6
        assert calls == [1]  # computed once for all six
        time.sleep(0.25)  # past the TTL, same data version
        release.clear()
        with ThreadPoolExecutor(max_workers=1) as pool:
            refreshing = pool.submit(cache.call, service)
            time.sleep(0.1)
            assert len(calls) == 2  # one request is computing the next result ...
            assert cache.call(service) == 1  # ... meanwhile the old one is served at once
            release.set()
            assert refreshing.result(timeout=10) == 2
        assert cache.call(service) == 2 and len(calls) == 2
    finally:
        db.dispose()
