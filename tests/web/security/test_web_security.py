"""Sign-in, sessions, CSRF, headers, bearer tokens, roles and the audit log, through a tiny app
with ``install(app, settings)`` and a few protected routes (issue 6 deliverable 4), on SQLite and
PostgreSQL."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request, UploadFile
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import event, insert

from caseloads.config import Settings
from caseloads.domain.access import Principal
from caseloads.services import users
from caseloads.services.database import Database, open_database
from caseloads.services.setup import initialise
from caseloads.store.tables import teams
from caseloads.web.security import (
    CurrentPrincipal,
    audit,
    csrf_token,
    install,
    require_roles,
    require_workers,
)
from caseloads.web.security.principals import PrincipalCache, session_key, token_key
from caseloads.web.security.sessions import COOKIE, load_or_create_secret, secret_key_path

PASSWORD = "correct horse battery"


@dataclass
class Site:
    app: FastAPI
    db: Database
    settings: Settings

    def client(self, https: bool = False) -> TestClient:
        base = "https://testserver" if https else "http://testserver"
        return TestClient(self.app, base_url=base, follow_redirects=False)


@pytest.fixture
def site(settings: Settings) -> Iterator[Site]:
    initialise(settings)
    db = open_database(settings)
    with db.engine.begin() as conn:
        conn.execute(
            insert(teams),
            [
                {
                    "la_code": "826",
                    "team_id": "T1",
                    "name": "Assessment",
                    "parent_id": None,
                    "team_type": "assessment",
                    "batch_id": 1,
                },
                {
                    "la_code": "826",
                    "team_id": "T2",
                    "name": "Child Protection",
                    "parent_id": None,
                    "team_type": "cp",
                    "batch_id": 1,
                },
            ],
        )
    users.add_user(db, "ann", "analyst", PASSWORD, la_codes=["826"])
    users.add_user(db, "max", "manager", PASSWORD, la_codes=["826"], team_names=["Assessment"])
    users.add_user(db, "vic", "viewer", PASSWORD, la_codes=["826"])
    users.add_user(db, "root", "admin", PASSWORD)

    app = FastAPI()
    app.state.db = db

    @app.get("/private")
    def private(principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
        return {"user": principal.username, "csrf": csrf_token(request)}

    @app.post("/private")
    def change(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"changed_by": principal.username}

    @app.get("/api/v1/whoami")
    def whoami(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"user": principal.username, "role": principal.role, "la": principal.la_codes}

    @app.get("/admin", dependencies=[Depends(require_roles("admin"))])
    def admin_only() -> dict[str, Any]:
        return {"ok": True}

    @app.get("/teams/{la}/{team}/workers")
    def workers(la: str, team: str, principal: CurrentPrincipal) -> dict[str, Any]:
        require_workers(principal, la, team)
        audit(principal, "view_workers", {"la": la, "team": team})
        return {"workers": ["w1", "w2"]}

    @app.post("/upload")
    async def upload(principal: CurrentPrincipal, file: UploadFile) -> dict[str, Any]:
        return {"bytes": len(await file.read()), "user": principal.username}

    install(app, settings)
    yield Site(app, db, settings)
    db.dispose()


def login_token(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, **form: str) -> Any:
    token = login_token(client)
    data = {"username": username, "password": password, "csrf_token": token, **form}
    return client.post("/login", data=data)


def test_sign_in_success_sets_a_safe_cookie_and_redirects(site: Site) -> None:
    client = site.client()
    page = client.get("/login")
    assert 'name="username"' in page.text and 'name="password"' in page.text
    assert "govuk-input" in page.text
    response = sign_in(client, "ann", next="/private?x=1")
    assert response.status_code == 303 and response.headers["location"] == "/private?x=1"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=28800" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback
    assert client.get("/private").json()["user"] == "ann"
    # Over HTTPS the cookie is Secure as well.
    secure = sign_in(site.client(https=True), "ann").headers["set-cookie"]
    assert "Secure" in secure and "HttpOnly" in secure


def test_sign_in_failure_and_open_redirects(site: Site) -> None:
    client = site.client()
    response = sign_in(client, "ann", "wrong password!")
    assert response.status_code == 401
    assert "Enter a correct username and password" in response.text
    assert sign_in(client, "nobody").status_code == 401
    assert client.get("/private").status_code == 303  # still not signed in
    ok = sign_in(client, "ann", next="//evil.example/")
    assert ok.headers["location"] == "/"


def test_not_signed_in_browser_is_redirected_and_api_gets_401(site: Site) -> None:
    client = site.client()
    response = client.get("/private?as_of=2026-01-01")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/private%3Fas_of%3D2026-01-01"
    api = client.get("/api/v1/whoami")
    assert api.status_code == 401 and api.headers["www-authenticate"].startswith("Bearer")
    assert "detail" in api.json()
    htmx = client.get("/private", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/login?next=")


def test_session_expires_when_idle_or_too_old(site: Site) -> None:
    secret = load_or_create_secret(secret_key_path(site.settings))
    assert secret_key_path(site.settings).stat().st_mode & 0o077 == 0

    class NineHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 9 * 3600

    session = {"u": "ann", "g": 0, "iat": int(time.time()), "csrf": "t"}
    fresh = URLSafeTimedSerializer(secret, salt="caseloads.session")
    stale = URLSafeTimedSerializer(secret, salt="caseloads.session", signer=NineHoursAgo)

    def status_with(cookie: str) -> int:
        client = site.client()
        client.cookies.set(COOKIE, cookie)
        return client.get("/private").status_code

    assert status_with(fresh.dumps(session)) == 200
    assert status_with(stale.dumps(session)) == 303  # idle for more than 8 hours
    too_old = {**session, "iat": int(time.time()) - 13 * 3600}
    assert status_with(fresh.dumps(too_old)) == 303  # signed in more than 12 hours ago
    forged = URLSafeTimedSerializer(b"x" * 32, salt="caseloads.session")
    assert status_with(forged.dumps(session)) == 303


def test_sign_out_ends_the_session(site: Site) -> None:
    client = site.client()
    sign_in(client, "ann")
    token = client.get("/private").json()["csrf"]
    old_cookie = client.cookies.get(COOKIE)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/private").status_code == 303
    # A copy of the old cookie no longer works either (the session generation moved on).
    replay = site.client()
    replay.cookies.set(COOKIE, old_cookie or "")
    assert replay.get("/private").status_code == 303


def test_csrf_token_required_on_unsafe_requests(site: Site) -> None:
    client = site.client()
    # Even the sign-in form needs the token of the session that showed it.
    no_token = client.post("/login", data={"username": "ann", "password": PASSWORD})
    assert no_token.status_code == 403
    sign_in(client, "ann")
    token = client.get("/private").json()["csrf"]
    assert client.post("/private").status_code == 403
    assert client.post("/private", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/private", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/private", data={"csrf_token": token}).json() == {"changed_by": "ann"}
    assert client.post("/private", headers={"X-CSRF-Token": token}).status_code == 200
    # A multipart upload: the token is read from the form and the body still reaches the route.
    content = b"x" * (3 << 20)
    response = client.post(
        "/upload", data={"csrf_token": token}, files={"file": ("a.csv", content, "text/csv")}
    )
    assert response.json() == {"bytes": len(content), "user": "ann"}
    refused = client.post("/upload", files={"file": ("a.csv", b"1", "text/csv")})
    assert refused.status_code == 403


def test_sign_in_rate_limit_answers_429(site: Site) -> None:
    client = site.client()
    for _ in range(5):
        assert sign_in(client, "ann", "wrong password!").status_code == 401
    response = sign_in(client, "ann")  # the right password, but too late
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 900
    assert "Too many failed attempts" in response.text


def test_security_headers(site: Site) -> None:
    response = site.client().get("/login")
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp
    assert directives["default-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["img-src"] == "'self' data:"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    # Also on refusals and redirects.
    assert "content-security-policy" in site.client().get("/private").headers
    assert "strict-transport-security" in site.client(https=True).get("/login").headers


def test_bearer_tokens(site: Site) -> None:
    token = users.create_token(site.db, "ann")
    client = site.client()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/whoami", headers=auth).json() == {
        "user": "ann",
        "role": "analyst",
        "la": ["826"],
    }
    # Bearer calls need no CSRF token, and set no cookie.
    response = client.post("/private", headers=auth)
    assert response.status_code == 200 and "set-cookie" not in response.headers
    users.revoke_tokens(site.db, "ann")
    # A revocation made outside this server reaches it when the cached principal expires
    # (test_principal_cache_* below); here the cache is emptied as if the TTL had passed.
    site.app.state.security.principals.clear()
    refused = client.get("/api/v1/whoami", headers=auth)
    assert refused.status_code == 401 and "invalid_token" in refused.headers["www-authenticate"]
    assert (
        client.get("/api/v1/whoami", headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )
    assert client.get("/api/v1/whoami", headers={"Authorization": "Basic YTpi"}).status_code == 401


def test_roles_and_team_scope(site: Site) -> None:
    manager = site.client()
    sign_in(manager, "max")
    assert manager.get("/teams/826/T1/workers").status_code == 200
    refused = manager.get("/teams/826/T2/workers")  # another team's worker list
    assert refused.status_code == 403
    assert manager.get("/admin").status_code == 403
    viewer = site.client()
    sign_in(viewer, "vic")
    assert viewer.get("/teams/826/T1/workers").status_code == 403
    analyst = site.client()
    sign_in(analyst, "ann")
    assert analyst.get("/teams/826/T2/workers").status_code == 200
    assert analyst.get("/teams/999/T9/workers").status_code == 403  # not their authority
    root = site.client()
    sign_in(root, "root")
    assert root.get("/admin").json() == {"ok": True}
    assert root.get("/teams/999/T9/workers").status_code == 200  # admin of every authority


def test_audit_entries_are_written(site: Site) -> None:
    client = site.client()
    sign_in(client, "max", "wrong password!")
    sign_in(client, "max")
    client.get("/teams/826/T1/workers")
    token = client.get("/private").json()["csrf"]
    client.post("/logout", data={"csrf_token": token})
    log = users.audit_log(site.db)
    assert [(e["username"], e["action"]) for e in log] == [
        ("max", "sign_in_failed"),
        ("max", "sign_in"),
        ("max", "view_workers"),
        ("max", "sign_out"),
    ]
    assert log[2]["detail"] == {"la": "826", "team": "T1"}
    assert all(e["client"] == "testclient" for e in log)
    assert not any(PASSWORD in str(e) for e in log)


# --- the principal cache -------------------------------------------------------------------------


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def user_queries(db: Database) -> list[str]:
    """A list that fills with every statement the engine runs against the users' tables."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(r"\b(users|user_scopes|api_tokens)\b", statement):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    return seen


def cached_site(site: Site) -> Clock:
    clock = Clock()
    cache: PrincipalCache = site.app.state.security.principals
    cache.ttl, cache.clock = 2.0, clock
    cache.clear()
    return clock


def test_principal_cache_rules() -> None:
    clock = Clock()
    cache = PrincipalCache(ttl=2.0, size=2, clock=clock)
    ann = Principal("ann", "analyst", ("826",), ())
    loads: list[str] = []

    def load(found: Principal | None) -> Principal | None:
        loads.append("db")
        return found

    key = session_key("ann", 0)
    assert cache.lookup(key, lambda: load(ann)) is ann
    assert cache.lookup(key, lambda: load(None)) is ann and loads == ["db"]  # a hit
    assert cache.get(session_key("ann", 1)) is None  # another generation never matches
    clock.now += 2.0
    assert cache.get(key) is None and len(cache) == 0  # expired after the TTL
    assert cache.lookup(key, lambda: load(None)) is None
    assert cache.lookup(key, lambda: load(None)) is None and loads == ["db", "db", "db"]
    cache.put(key, ann)  # failures are not kept, so the database was asked each time
    cache.put(token_key("cl_secret"), ann)
    assert all("cl_secret" not in str(k) for k in cache._items)  # only its SHA-256
    cache.put(session_key("bob", 3), Principal("bob", "viewer", ("826",), ()))
    assert len(cache) == 2 and cache.get(key) is None  # bounded: the oldest dropped
    cache.forget_user("bob")
    assert cache.get(session_key("bob", 3)) is None and cache.get(token_key("cl_secret")) is ann
    assert PrincipalCache(ttl=0).lookup(key, lambda: ann) is ann  # TTL 0: nothing kept


def test_principal_cache_saves_the_queries_and_expires(site: Site) -> None:
    clock = cached_site(site)
    client = site.client()
    sign_in(client, "ann")
    queries = user_queries(site.db)
    assert client.get("/private").json()["user"] == "ann"
    first = len(queries)
    assert first >= 1  # read from the database once ...
    for _ in range(5):
        assert client.get("/private").status_code == 200
    assert len(queries) == first  # ... then from the cache
    # Disabled from the command line (another process): refused once the entry expires.
    users.set_disabled(site.db, "ann", True)
    clock.now += 2.0
    assert client.get("/private").status_code == 303
    assert len(queries) > first


def test_principal_cache_sign_out_and_tokens(site: Site) -> None:
    clock = cached_site(site)
    client = site.client()
    sign_in(client, "ann")
    assert client.get("/private").status_code == 200
    old_cookie = client.cookies.get(COOKIE) or ""
    token = client.get("/private").json()["csrf"]
    client.post("/logout", data={"csrf_token": token})
    replay = site.client()
    replay.cookies.set(COOKIE, old_cookie)
    assert replay.get("/private").status_code == 303  # forgotten at once, within the TTL
    bearer = {"Authorization": f"Bearer {users.create_token(site.db, 'ann')}"}
    assert client.get("/api/v1/whoami", headers=bearer).status_code == 200
    queries = user_queries(site.db)
    assert client.get("/api/v1/whoami", headers=bearer).status_code == 200
    assert queries == []
    users.revoke_tokens(site.db, "ann")
    clock.now += 2.0
    assert client.get("/api/v1/whoami", headers=bearer).status_code == 401
