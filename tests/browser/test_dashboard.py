"""The dashboard in Chromium, on SQLite and PostgreSQL, with accounts signed in through the
``/login`` form: every page renders with data and passes axe-core (no serious or critical
violation), charts are drawn under the CSP with no script error, the as-of date changes the
figures, the team board drills down to the team's workers, a table downloads as CSV, a manager
is refused another team's workers (the 403 page), a viewer sees small counts as ``c``, the
keyboard skip link works and the pages read without JavaScript."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.browser.conftest import (
    ANALYST,
    MANAGER,
    OTHER_TEAM,
    TEAM,
    VIEWER,
    SignedIn,
    Site,
    sign_in,
)

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/workforce",
    "/recruitment",
    "/caseloads",
    f"/caseloads?team={TEAM}&status=cp",
    "/demand",
    "/data",
]


def axe_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page (axe injected by the test)."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target)}))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_sign_in_through_the_form(tab: Page, site: Site) -> None:
    tab.goto(site.url + "/caseloads")
    assert tab.url == site.url + "/login?next=/caseloads"  # not signed in: to the form
    tab.get_by_label("Username").fill(ANALYST)
    tab.get_by_label("Password").fill("not the password")
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_text("Enter a correct username and password").first).to_be_visible()
    expect(tab.locator("table")).to_have_count(0)
    sign_in(tab, site, ANALYST, "/caseloads")
    expect(tab.get_by_text(f"Signed in as {ANALYST}")).to_be_visible()
    expect(tab.locator("h1")).to_have_text("Caseloads")


def test_every_page_renders_with_data_draws_charts_and_passes_axe(
    signed_in: SignedIn, axe_source: str, site: Site
) -> None:
    tab = signed_in(ANALYST)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    for path in PAGES:
        response = tab.goto(site.url + path)
        assert response is not None and response.status == 200, path
        expect(tab.locator("h1")).to_have_count(1)
        expect(tab.locator("table caption").first).to_be_visible()
        rows = tab.locator("table tbody tr")
        assert rows.count() > 0, path  # figures, not only headings
        assert tab.locator(".govuk-error-summary, .govuk-error-message").count() == 0, path
        charts = tab.locator("[data-vl-spec]")
        for i in range(charts.count()):
            expect(charts.nth(i).locator("svg")).to_have_count(1, timeout=10_000)
        assert axe_violations(tab, axe_source) == [], path
    assert errors == []


def test_as_of_date_and_drill_down_to_workers(signed_in: SignedIn, site: Site) -> None:
    tab = signed_in(ANALYST)
    tab.goto(site.url + "/caseloads")
    expect(tab.locator("caption").first).to_contain_text("Team board on")
    latest = tab.locator("table").first.inner_text()
    tab.get_by_label("Figures as of").fill("2026-01-15")
    tab.get_by_role("button", name="Show figures").click()
    expect(tab.locator("caption").first).to_contain_text("2026-01-15")
    assert "as_of=2026-01-15" in tab.url  # htmx pushed the URL: the view can be shared
    assert tab.locator("table").first.inner_text() != latest  # other figures on another date
    tab.locator(f"a[href*='team={TEAM}']").first.click()
    workers = tab.locator("#workers")
    expect(workers).to_be_visible()
    expect(tab.get_by_text("Weighted points").first).to_be_visible()
    table = tab.locator("table", has=tab.locator("caption", has_text="Workers of"))
    expect(table.locator("caption")).to_contain_text("2026-01-15")
    assert table.locator("tbody tr").count() > 0  # the team's workers, one row each


def test_download_a_table_as_csv(signed_in: SignedIn, site: Site) -> None:
    tab = signed_in(ANALYST)
    tab.goto(site.url + "/caseloads?as_of=2026-06-30")
    shown = tab.locator("table", has=tab.locator("caption", has_text="Team board"))
    teams = shown.locator("tbody tr").count()
    with tab.expect_download() as download:
        tab.get_by_role("link", name="Download “Team board").click()
    assert download.value.suggested_filename == "board.csv"
    path = download.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == teams > 0
    assert {"team", "children", "caseload_per_fte"} <= set(rows[0])


def test_manager_is_refused_another_team(signed_in: SignedIn, site: Site) -> None:
    tab = signed_in(MANAGER)
    own = tab.goto(f"{site.url}/caseloads?team={TEAM}")
    assert own is not None and own.status == 200
    expect(tab.locator("#workers")).to_be_visible()
    tab.goto(site.url + "/caseloads")
    assert tab.locator(f"a[href*='team={TEAM}']").count() > 0
    assert tab.locator(f"a[href*='team={OTHER_TEAM}']").count() == 0  # no link to it ...
    refused = tab.goto(f"{site.url}/caseloads?team={OTHER_TEAM}")  # ... nor the page itself
    assert refused is not None and refused.status == 403
    expect(tab.locator("h1")).to_have_text("Forbidden")
    expect(tab.locator("#workers")).to_have_count(0)


def test_viewer_sees_small_counts_as_c(signed_in: SignedIn, site: Site) -> None:
    tab = signed_in(VIEWER)
    response = tab.goto(site.url + "/caseloads")
    assert response is not None and response.status == 200
    board = tab.locator("table", has=tab.locator("caption", has_text="Team board"))
    cells = board.locator("tbody td").all_inner_texts()
    assert "c" in [c.strip() for c in cells]  # teams of 1-5 workers, suppressed
    expect(tab.locator("#workers")).to_have_count(0)
    assert tab.locator("a[href*='team=']").count() == 0  # no drill-down for a viewer
    refused = tab.goto(f"{site.url}/caseloads?team={TEAM}")
    assert refused is not None and refused.status == 403


def test_keyboard_skip_link(signed_in: SignedIn, site: Site) -> None:
    tab = signed_in(ANALYST)
    tab.goto(site.url + "/workforce")
    tab.keyboard.press("Tab")
    skip = tab.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    tab.keyboard.press("Enter")
    expect(tab).to_have_url(re.compile(r"#main-content$"))  # waits: the jump is not instant


def test_readable_without_javascript(signed_in: SignedIn, site: Site) -> None:
    page = signed_in(ANALYST, javascript=False)
    page.goto(site.url + "/caseloads?as_of=2026-06-30")
    expect(page.locator("table").first).to_be_visible()
    page.get_by_label("Figures as of").fill("2026-03-31")
    page.get_by_role("button", name="Show figures").click()  # a plain GET form
    expect(page.locator("caption").first).to_contain_text("2026-03-31")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Team board").click()
    assert download.value.suggested_filename == "board.csv"
