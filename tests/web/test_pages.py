"""The pages on SQLite and PostgreSQL: each renders with the council's data for every role it
is open to, GOV.UK structure (skip link, one h1, captions, labelled as-of date), no inline
script, the as-of date honoured, and every table downloadable as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from tests.web.conftest import OWN_TEAM, ClientFor

PAGES = {
    "/": "Overview",
    "/workforce": "Workforce",
    "/recruitment": "Recruitment",
    "/caseloads": "Caseloads",
    f"/caseloads?team={OWN_TEAM}&status=cin": "Caseloads",
    "/demand": "Demand",
    "/data": "Data",
    "/data?batch=1": "Data",
}


@pytest.mark.parametrize("role", ["admin", "analyst", "viewer"])
def test_every_page_renders_with_data(client_for: ClientFor, role: str) -> None:
    client = client_for(role, team_ids=(OWN_TEAM,))
    for url, heading in PAGES.items():
        if role == "viewer" and "team=" in url:
            continue
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:500])
        page = response.text
        assert re.search(rf'<h1 class="govuk-heading-xl">{heading}</h1>', page), url
        assert page.count("<h1") == 1
        assert 'href="#main-content"' in page and 'id="main-content"' in page
        assert "<caption" in page, url
        assert "<script>" not in page and " onclick=" not in page  # CSP: no inline script
        assert "Traceback" not in page


def test_pages_show_the_council_figures(client_for: ClientFor) -> None:
    client = client_for("analyst")
    overview = client.get("/?as_of=2026-06-30").text
    assert "Figures as of" in overview and 'value="2026-06-30"' in overview
    assert "Social workers in post (FTE)" in overview and "England" in overview
    board = client.get("/caseloads?as_of=2026-06-30").text
    assert "CIN and CP Team" in board and f"team={OWN_TEAM}" in board  # drill-down link
    workers = client.get(f"/caseloads?as_of=2026-06-30&team={OWN_TEAM}").text
    assert 'id="workers"' in workers and "Weighted points" in workers
    assert "data-vl-spec=" in board  # the weekly history chart, beside its table


def test_as_of_date_changes_the_figures(client_for: ClientFor) -> None:
    client = client_for("analyst")
    late = client.get("/caseloads?as_of=2026-06-30").text
    early = client.get("/caseloads?as_of=2026-01-15").text
    assert "Team board on 2026-06-30" in late and "Team board on 2026-01-15" in early
    assert client.get("/caseloads?as_of=not-a-date").status_code == 400


@pytest.mark.parametrize(
    ("url", "table"),
    [
        ("/?as_of=2026-06-30", "headline"),
        ("/workforce?as_of=2026-06-30", "establishment"),
        ("/recruitment", "activity"),
        ("/caseloads?as_of=2026-06-30", "board"),
        ("/demand?as_of=2026-06-30", "front_door"),
        ("/data", "batches"),
    ],
)
def test_tables_download_as_csv(client_for: ClientFor, url: str, table: str) -> None:
    client = client_for("analyst")
    page = client.get(url).text
    assert f"download={table}" in page
    response = client.get(f"{url}{'&' if '?' in url else '?'}download={table}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows)
    for row in rows[1:]:
        assert not any(cell[:1] in ("=", "+", "@") for cell in row)


def test_unknown_table_download_is_404(client_for: ClientFor) -> None:
    assert client_for("analyst").get("/?download=nothing").status_code == 404


def test_upload_through_the_import_code(client_for: ClientFor, data_dir: Path) -> None:
    client = client_for("analyst")
    page = client.get("/data").text
    token = re.search(r'name="csrf_token" value="([^"]*)"', page)
    assert token is not None
    extract = (data_dir / "establishment.csv").read_bytes()
    response = client.post(
        "/data/upload",
        data={"kind": "establishment", "csrf_token": token.group(1)},
        files={"files": ("establishment.csv", extract, "text/csv")},
    )
    assert response.status_code == 200, response.text[:800]
    assert "already loaded" in response.text  # the same file again changes nothing
    bad = client.post(
        "/data/upload",
        data={"kind": "establishment", "csrf_token": token.group(1)},
        files={"files": ("establishment.csv", b"post_id,team\n1,2\n", "text/csv")},
    )
    assert bad.status_code == 422 and "was not imported" in bad.text


def test_viewers_and_managers_cannot_upload(client_for: ClientFor) -> None:
    for role in ("viewer", "manager"):
        client = client_for(role, team_ids=(OWN_TEAM,))
        assert 'action="/data/upload"' not in client.get("/data").text
        response = client.post(
            "/data/upload",
            data={"kind": "establishment"},
            files={"files": ("e.csv", b"x", "text/csv")},
        )
        assert response.status_code == 403


def test_static_assets_are_served(client_for: ClientFor) -> None:
    client = client_for("viewer")
    for path in (
        "/static/vendor/govuk-frontend/govuk-frontend.min.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/vega/vega-embed.min.js",
        "/static/app.js",
    ):
        assert client.get(path).status_code == 200, path
