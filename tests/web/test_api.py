"""The JSON API on SQLite and PostgreSQL: every route answers, each answers what the matching
CLI command prints with ``--format json``, and errors are problem documents, never a trace."""

from __future__ import annotations

import json

import pytest
from tests.web.conftest import LA, OWN_TEAM, ClientFor
from typer.testing import CliRunner

from caseloads.cli import app as cli
from caseloads.config import Settings

ROUTES = [
    "/api/v1/workforce?as_of=2026-06-30",
    "/api/v1/workforce?year=2025",
    "/api/v1/workforce?as_of=2026-06-30&by=team",
    "/api/v1/establishment",
    "/api/v1/establishment?by=team",
    "/api/v1/pipeline",
    "/api/v1/pipeline?activity=true",
    "/api/v1/turnover?months=6",
    "/api/v1/leavers",
    "/api/v1/experience",
    "/api/v1/survival",
    "/api/v1/survival?curve=true",
    "/api/v1/agency-check?as_of=2026-06-30",
    "/api/v1/caseload?by=team",
    "/api/v1/caseload?by=worker",
    f"/api/v1/caseload?by=worker&team={OWN_TEAM}",
    "/api/v1/caseload-history?from=2026-05-01&to=2026-06-30&freq=week",
    f"/api/v1/allocate?team={OWN_TEAM}&status=cp",
    "/api/v1/demand?from=2026-01-01&to=2026-06-30",
    "/api/v1/demand?from=2026-06-01&to=2026-06-30&freq=week",
    "/api/v1/stability?as_of=2026-06-30",
    "/api/v1/benchmark",
    "/api/v1/status",
    "/api/v1/batches",
    "/api/v1/batches/1",
]


def test_every_route_answers_json(client_for: ClientFor) -> None:
    client = client_for("admin")
    for url in ROUTES:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert body, url


#: API route -> the CLI command and options giving the same JSON.
SAME_AS_CLI = [
    (
        "/api/v1/workforce?la=826&as_of=2026-06-30",
        ["workforce", "--la", LA, "--as-of", "2026-06-30"],
    ),
    ("/api/v1/workforce?la=826&year=2025", ["workforce", "--la", LA, "--year", "2025"]),
    ("/api/v1/establishment?as_of=2026-06-30", ["establishment", "--as-of", "2026-06-30"]),
    ("/api/v1/pipeline?by=team", ["pipeline", "--by", "team"]),
    (
        "/api/v1/caseload?as_of=2026-06-30&by=team",
        ["caseload", "--as-of", "2026-06-30", "--by", "team"],
    ),
    (
        f"/api/v1/caseload?by=worker&team={OWN_TEAM}",
        ["caseload", "--by", "worker", "--team", OWN_TEAM],
    ),
    (
        "/api/v1/demand?from=2026-01-01&to=2026-03-31&freq=month",
        ["demand", "--from", "2026-01-01", "--to", "2026-03-31", "--freq", "month"],
    ),
    ("/api/v1/benchmark?la=826&year=2024", ["benchmark", "--la", LA, "--year", "2024"]),
]


@pytest.mark.parametrize(("url", "command"), SAME_AS_CLI, ids=[c[0] for _, c in SAME_AS_CLI])
def test_route_answers_what_the_cli_prints(
    loaded: Settings, client_for: ClientFor, url: str, command: list[str]
) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "--database",
            loaded.database_url,
            "--key-file",
            str(loaded.key_file),
            *command,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert client_for("analyst").get(url).json() == json.loads(result.stdout)


def test_openapi_lists_the_routes(client_for: ClientFor) -> None:
    spec = client_for("admin").get("/api/v1/openapi.json").json()
    for path in ("/workforce", "/establishment", "/pipeline", "/caseload", "/demand", "/benchmark"):
        assert f"/api/v1{path}" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/v1/demand"]["get"]["parameters"]}
    assert {"from", "to", "freq", "la"} <= params
    assert not any(not p.startswith("/api/v1") for p in spec["paths"])


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/demand?from=yesterday&to=2026-01-01", 422),
        ("/api/v1/caseload?by=everyone", 422),
        ("/api/v1/workforce", 400),  # neither year nor as_of: the CLI's own message
        ("/api/v1/allocate?team=T02&status=dragon", 400),
        ("/api/v1/batches/99999", 404),
        ("/api/v1/benchmark?la=999", 403),
        ("/api/v1/no-such-route", 404),
    ],
)
def test_errors_are_problem_documents(client_for: ClientFor, url: str, status: int) -> None:
    response = client_for("analyst").get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    assert "Traceback" not in response.text and 'File "' not in response.text


def test_unexpected_error_is_a_500_problem_without_trace(client_for: ClientFor) -> None:
    client = client_for("admin")

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals")

    client.app.state.cache.call = boom  # type: ignore[attr-defined]
    response = client.get("/api/v1/establishment")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.json()["title"] == "Internal error"
