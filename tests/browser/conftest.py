"""Browser tests: the real app under uvicorn (a thread, 127.0.0.1, port 0) over the small
synthetic council, driven by Playwright in Debian's Chromium (``/usr/bin/chromium``; no browser
is ever downloaded). Skipped cleanly when Chromium is absent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
VENDOR = Path(__file__).parent / "vendor"
TEAM = "T02"

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


@pytest.fixture
def tab(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context and page."""
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over the small council, signed in as an analyst of 826 (sign-in itself is
    the security package's; the principal is set through the dependency override)."""
    import uvicorn

    from caseloads.config import Settings
    from caseloads.services.demo import run_demo
    from caseloads.web import access
    from caseloads.web.app import create_app

    tmp = tmp_path_factory.mktemp("browser")
    settings = Settings(database_url=f"sqlite:///{tmp / 'b.db'}", key_file=tmp / "b.key")
    run_demo(settings, out_dir=tmp / "data", seed=1, size="small", today=date(2026, 6, 30))
    app = create_app(settings)
    principal = access.Principal("browser", "analyst", ("826",), ())
    app.dependency_overrides[access.current_principal] = lambda: principal
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def axe_source() -> str:
    return (VENDOR / "axe.min.js").read_text(encoding="utf-8")
