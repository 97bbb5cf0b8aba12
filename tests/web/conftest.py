"""The web tests' fixtures: the small synthetic council loaded once per module on each backend
(SQLite, and PostgreSQL when ``CASELOADS_TEST_POSTGRES_URL`` is set), and test clients signed in
as a given principal (``app.dependency_overrides`` on the security package's dependency)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import BACKENDS
from tests.dbtools import fresh_postgres_database

from caseloads.config import Settings
from caseloads.services.demo import run_demo
from caseloads.web import access
from caseloads.web.app import create_app

TODAY = date(2026, 6, 30)
LA = "826"
#: Teams of the small synthetic council.
OWN_TEAM, OTHER_TEAM = "T02", "T03"


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings of a database holding the small synthetic council (history to ``TODAY``)."""
    tmp = tmp_path_factory.mktemp("web")
    if request.param == "sqlite":
        settings = Settings(database_url=f"sqlite:///{tmp / 'web.db'}", key_file=tmp / "web.key")
        run_demo(settings, out_dir=tmp / "data", seed=1, size="small", today=TODAY, la_code=LA)
        yield settings
        return
    with fresh_postgres_database() as url:
        settings = Settings(database_url=url, key_file=tmp / "web.key")
        run_demo(settings, out_dir=tmp / "data", seed=1, size="small", today=TODAY, la_code=LA)
        yield settings


ClientFor = Callable[..., TestClient]


@pytest.fixture
def client_for(loaded: Settings) -> Iterator[ClientFor]:
    """``client_for(role, la_codes=("826",), team_ids=())``: a client signed in as that
    principal."""
    clients: list[TestClient] = []

    def make(
        role: str, la_codes: tuple[str, ...] = (LA,), team_ids: tuple[str, ...] = ()
    ) -> TestClient:
        app = create_app(loaded)
        principal = access.Principal("tester", role, la_codes, team_ids)
        app.dependency_overrides[access.current_principal] = lambda: principal
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def data_dir(loaded: Settings) -> Path:
    return Path(str(loaded.key_file)).parent / "data"
