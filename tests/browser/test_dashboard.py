"""The dashboard in Chromium: every page renders with data and passes axe-core (no serious or
critical violation), charts are drawn under the CSP with no script error, the as-of form and the
team drill-down work with htmx and by keyboard, and the pages read without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.conftest import TEAM

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


def test_every_page_renders_draws_charts_and_passes_axe(
    tab: Page, live_server: str, axe_source: str
) -> None:
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    for path in PAGES:
        tab.goto(live_server + path)
        expect(tab.locator("h1")).to_have_count(1)
        expect(tab.locator("table caption").first).to_be_visible()
        charts = tab.locator("[data-vl-spec]")
        for i in range(charts.count()):
            expect(charts.nth(i).locator("svg")).to_have_count(1, timeout=10_000)
        assert axe_violations(tab, axe_source) == [], path
    assert errors == []


def test_as_of_form_and_drill_down(tab: Page, live_server: str) -> None:
    tab.goto(live_server + "/caseloads")
    tab.get_by_label("Figures as of").fill("2026-01-15")
    tab.get_by_role("button", name="Show figures").click()
    expect(tab.locator("caption").first).to_contain_text("2026-01-15")
    assert "as_of=2026-01-15" in tab.url  # htmx pushed the URL: the view can be shared
    tab.locator(f"a[href*='team={TEAM}']").first.click()
    expect(tab.locator("#workers")).to_be_visible()
    expect(tab.get_by_text("Weighted points").first).to_be_visible()


def test_keyboard_skip_link(tab: Page, live_server: str) -> None:
    tab.goto(live_server + "/workforce")
    tab.keyboard.press("Tab")
    skip = tab.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    tab.keyboard.press("Enter")
    assert tab.url.endswith("#main-content")


def test_readable_without_javascript(chromium: Browser, live_server: str) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + "/caseloads?as_of=2026-06-30")
        expect(page.locator("table").first).to_be_visible()
        page.get_by_label("Figures as of").fill("2026-03-31")
        page.get_by_role("button", name="Show figures").click()  # a plain GET form
        expect(page.locator("caption").first).to_contain_text("2026-03-31")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download “Team board").click()
        assert download.value.suggested_filename == "board.csv"
    finally:
        context.close()
