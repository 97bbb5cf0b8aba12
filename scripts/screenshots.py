"""Screenshots of every page of the dashboard for the README (``make screenshots``).

Loads the synthetic council (``caseloads demo --size council``, history to 2026-11-22) into a
temporary SQLite database, creates an analyst with a random password through the users
service, serves the dashboard on 127.0.0.1 (uvicorn in a thread, a free port), signs in through
the ``/login`` form in Debian's Chromium (``/usr/bin/chromium`` through Playwright; nothing is
downloaded) and saves a PNG of each page, charts drawn, into ``docs/screenshots/``: the sign-in
form, the overview, workforce, recruitment, the caseloads board, a team's workers with the
allocation helper, demand and data.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--width 1100]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
TODAY = date(2026, 11, 22)
USERNAME = "analyst"
#: (file name, path, what to wait for) of each screenshot after the sign-in form.
PAGES = [
    ("overview", "/", "Overview"),
    ("workforce", "/workforce", "Workforce"),
    ("recruitment", "/recruitment", "Recruitment"),
    ("caseloads", "/caseloads", "Caseloads"),
    ("demand", "/demand", "Demand"),
    ("data", "/data", "Data"),
]
#: How tall a screenshot may be (CSS pixels): long pages are cut there, to keep each file
#: under ~300 KB.
MAX_HEIGHT = 2000


def serve(settings: object) -> tuple[str, Callable[[], None]]:
    """The dashboard under uvicorn in a thread: its URL and how to stop it."""
    import uvicorn

    from caseloads.config import Settings
    from caseloads.web.app import create_app

    assert isinstance(settings, Settings)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


def load(work: Path) -> tuple[object, str]:
    """The council in a new database and an analyst account: (settings, password)."""
    from caseloads.config import Settings
    from caseloads.services import users
    from caseloads.services.database import open_database
    from caseloads.services.demo import run_demo

    settings = Settings(database_url=f"sqlite:///{work / 'screens.db'}", key_file=work / "s.key")
    run_demo(settings, out_dir=work / "demo", seed=1, size="council", today=TODAY, la_code="826")
    password = secrets.token_urlsafe(18)
    db = open_database(settings)
    try:
        users.add_user(db, USERNAME, "analyst", password, la_codes=["826"])
    finally:
        db.dispose()
    return settings, password


def settle(page: Page) -> None:
    """Wait until every chart on the page is drawn."""
    charts = page.locator("[data-vl-spec]")
    for i in range(charts.count()):
        charts.nth(i).locator("svg").wait_for(timeout=15_000)


def shoot(page: Page, out: Path, name: str) -> Path:
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"] if page.viewport_size else 1100
    path = out / f"{name}.png"
    page.screenshot(
        path=str(path),
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": min(int(height), MAX_HEIGHT)},
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1100)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit("Debian's chromium is needed (apt-get install chromium): /usr/bin/chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="caseloads-screens-") as tmp:
        print("Loading the synthetic council ...", flush=True)
        settings, password = load(Path(tmp))
        base, stop = serve(settings)
        saved: list[Path] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
                )
                context = browser.new_context(viewport={"width": args.width, "height": 900})
                page = context.new_page()
                page.set_default_timeout(30_000)
                page.goto(base + "/login")
                saved.append(shoot(page, args.out, "login"))
                page.get_by_label("Username").fill(USERNAME)
                page.get_by_label("Password").fill(password)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(base + "/")
                for name, path, heading in PAGES:
                    page.goto(base + path)
                    page.get_by_role("heading", name=heading, level=1).wait_for()
                    settle(page)
                    saved.append(shoot(page, args.out, name))
                    if name == "caseloads":
                        link = page.locator("a[href*='team=']").first.get_attribute("href")
                        team = (link or "").split("team=")[1].split("#")[0].split("&")[0]
                        page.goto(f"{base}/caseloads?team={team}&status=cin#workers")
                        page.locator("#workers").wait_for()
                        settle(page)
                        saved.append(shoot(page, args.out, "caseloads-team"))
                browser.close()
        finally:
            stop()
    for png in saved:
        shown = png.relative_to(ROOT) if png.is_relative_to(ROOT) else png
        print(f"{shown}: {png.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
