"""Browser tests: the real app under uvicorn (a thread, 127.0.0.1, port 0) over the small
synthetic council, on SQLite and again on PostgreSQL when ``CASELOADS_TEST_POSTGRES_URL`` is
set, driven by Playwright in Debian's Chromium (``/usr/bin/chromium``; no browser is ever
downloaded). Skipped cleanly when Chromium is absent.

Nobody is signed in by the fixtures' say-so: each server has real accounts made by
``services.users`` (an analyst, a manager of one team and a viewer, all of authority 826), and
``signed_in`` signs in through the ``/login`` form in the browser once per account and server,
then gives each test a new browser context holding that session (its cookies only)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tests.conftest import BACKENDS

CHROMIUM = Path("/usr/bin/chromium")
VENDOR = Path(__file__).parent / "vendor"
TODAY = date(2026, 6, 30)
LA = "826"
#: The manager's team and another team of the small council (team ids).
TEAM, OTHER_TEAM = "T02", "T03"
ANALYST, MANAGER, VIEWER = "ann", "max", "vic"

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)", allow_module_level=True)


ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright's own sync API (pytest-playwright's
    fixtures are not used: they warn under pytest 9, and warnings are errors here)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield browser
        browser.close()


@dataclass
class Site:
    """A running dashboard and the accounts on it."""

    url: str
    backend: str
    passwords: dict[str, str]
    states: dict[str, Any] = field(default_factory=dict)


def add_accounts(settings: Any) -> dict[str, str]:
    """The analyst, the manager of :data:`TEAM` (by its name) and the viewer, with random
    passwords, made by the users service."""
    from sqlalchemy import select

    from caseloads.services import users
    from caseloads.services.database import open_database
    from caseloads.store.tables import teams

    db = open_database(settings)
    try:
        with db.engine.connect() as conn:
            team_name = conn.execute(
                select(teams.c.name).where(teams.c.la_code == LA, teams.c.team_id == TEAM)
            ).scalar_one()
        passwords = {name: secrets.token_urlsafe(16) for name in (ANALYST, MANAGER, VIEWER)}
        users.add_user(db, ANALYST, "analyst", passwords[ANALYST], la_codes=[LA])
        users.add_user(
            db, MANAGER, "manager", passwords[MANAGER], la_codes=[LA], team_names=[team_name]
        )
        users.add_user(db, VIEWER, "viewer", passwords[VIEWER], la_codes=[LA])
    finally:
        db.dispose()
    return passwords


def serve(settings: Any) -> tuple[str, Callable[[], None]]:
    """The app of ``settings`` under uvicorn in a thread: its URL, and how to stop it."""
    import uvicorn

    from caseloads.web.app import create_app

    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture(scope="session", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The dashboard over the small council with its accounts, on each backend."""
    from tests.dbtools import fresh_postgres_database

    from caseloads.config import Settings
    from caseloads.services.demo import run_demo

    tmp = tmp_path_factory.mktemp(f"browser-{request.param}")

    def run(url: str) -> Iterator[Site]:
        settings = Settings(database_url=url, key_file=tmp / "b.key")
        run_demo(settings, out_dir=tmp / "data", seed=1, size="small", today=TODAY, la_code=LA)
        passwords = add_accounts(settings)
        base, stop = serve(settings)
        try:
            yield Site(base, request.param, passwords)
        finally:
            stop()

    if request.param == "sqlite":
        yield from run(f"sqlite:///{tmp / 'b.db'}")
    else:
        with fresh_postgres_database() as url:
            yield from run(url)


def sign_in(page: Page, site: Site, username: str, next_path: str = "/") -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{site.url}/login?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(site.passwords[username])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}{next_path}")


SignedIn = Callable[..., Page]


@pytest.fixture
def signed_in(chromium: Browser, site: Site) -> Iterator[SignedIn]:
    """``signed_in(username, javascript=True)``: a page in a new browser context with a session
    of that account (signed in through the form the first time on each server, the session's
    cookies reused afterwards)."""
    contexts: list[Any] = []

    def make(username: str, *, javascript: bool = True) -> Page:
        if username not in site.states:
            first = chromium.new_context()
            try:
                sign_in(first.new_page(), site, username)
                site.states[username] = first.storage_state()
            finally:
                first.close()
        context = chromium.new_context(
            storage_state=site.states[username], java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def tab(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context and page, signed in as nobody."""
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return (VENDOR / "axe.min.js").read_text(encoding="utf-8")
