"""Role rules on the pages and the API (the principal is set directly; sign-in itself is the
security package's and tested there): authorities, managers limited to their teams' workers,
viewers to suppressed aggregates."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.conftest import OTHER_TEAM, OWN_TEAM, ClientFor

from caseloads.domain.disclosure import suppress_rows
from caseloads.web import access
from caseloads.web.app import create_app


def test_another_authority_is_forbidden(client_for: ClientFor) -> None:
    client = client_for("analyst", la_codes=("201",))
    assert client.get("/api/v1/caseload?by=team&la=826").status_code == 403
    assert client.get("/?la=826").status_code == 403
    # with no authority named, they get only their own (here: none of the council's rows)
    assert client.get("/api/v1/benchmark").json() != []  # 201's published figures
    assert all(r["la_code"] == "201" for r in client.get("/api/v1/benchmark").json())


def test_manager_sees_only_their_teams_workers(client_for: ClientFor) -> None:
    client = client_for("manager", team_ids=(OWN_TEAM,))
    own = client.get(f"/api/v1/caseload?by=worker&team={OWN_TEAM}")
    assert own.status_code == 200 and own.json()
    assert {r["team_id"] for r in own.json()} == {OWN_TEAM}
    assert client.get(f"/api/v1/caseload?by=worker&team={OTHER_TEAM}").status_code == 403
    assert client.get(f"/api/v1/allocate?team={OTHER_TEAM}&status=cp").status_code == 403
    everyone = client.get("/api/v1/caseload?by=worker").json()
    assert everyone and {r["team_id"] for r in everyone} == {OWN_TEAM}
    assert client.get(f"/caseloads?team={OTHER_TEAM}").status_code == 403
    page = client.get("/caseloads").text
    assert f"team={OWN_TEAM}" in page and f"team={OTHER_TEAM}" not in page
    assert client.get("/api/v1/agency-check").status_code == 403


def test_viewer_gets_aggregates_only_suppressed(client_for: ClientFor) -> None:
    viewer = client_for("viewer")
    analyst = client_for("analyst")
    for url in (
        "/api/v1/caseload?by=worker",
        f"/api/v1/caseload?by=team&team={OWN_TEAM}&by=worker",
        "/api/v1/allocate?team=T02&status=cp",
        "/api/v1/stability?as_of=2026-06-30&by_child=true",
        "/api/v1/agency-check",
    ):
        assert viewer.get(url).status_code == 403, url
    assert viewer.get(f"/caseloads?team={OWN_TEAM}").status_code == 403
    teams = analyst.get("/api/v1/caseload?by=team").json()
    shown = viewer.get("/api/v1/caseload?by=team").json()
    counts = access.count_columns(teams)
    assert "children" in counts and "workers" in counts
    assert shown == suppress_rows(teams, counts)
    assert any(r["workers"] == "c" for r in shown)  # the small council has teams of 1-5 workers
    page = viewer.get("/caseloads").text
    assert ">c<" in page.replace(" ", "").replace("\n", "")


def test_no_principal_no_data(loaded: object) -> None:
    """Without a signed-in principal nothing is served (401/redirect from the security
    package; 503 while it is not installed)."""
    from caseloads.config import Settings

    assert isinstance(loaded, Settings)
    client = TestClient(create_app(loaded), raise_server_exceptions=False, follow_redirects=False)
    for url in ("/api/v1/caseload?by=team", "/caseloads", "/"):
        response = client.get(url)
        assert response.status_code in (302, 303, 307, 401, 503), url
        assert "CIN and CP Team" not in response.text
