"""The demo loads the synthetic council through the ordinary imports; the same seed gives the same
counts on every database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.dbtools import fresh_postgres_database, requires_postgres

from caseloads.config import Settings
from caseloads.services.database import open_database
from caseloads.services.demo import run_demo
from caseloads.services.status import database_status

TODAY = date(2026, 11, 22)


def test_small_demo_loads_everything_and_reimport_is_a_no_op(
    settings: Settings, tmp_path: Path
) -> None:
    report = run_demo(
        settings, out_dir=tmp_path / "demo", seed=7, size="small", today=TODAY, la_code="826"
    )
    assert all(r.status == "imported" for r in report.imports)
    kinds = [r.kind for r in report.imports]
    assert kinds[0] == "ssd" and kinds.count("csww") == len(report.council.csww_files) == 5
    db = open_database(settings)
    try:
        tables = database_status(db)["authorities"]["826"]["tables"]
    finally:
        db.dispose()
    # Every generated row arrived: the stored counts equal the generator's file counts.
    generated = report.council.row_counts
    assert tables["children"] == generated["ssd_person"]
    assert tables["involvements"] == generated["ssd_involvements"]
    assert tables["referrals"] == generated["ssd_cin_episodes"]
    assert tables["assignments"] == generated["staff"]
    assert tables["posts"] == generated["establishment"]
    assert tables["pipeline"] == generated["pipeline"]
    assert tables["absences"] == generated["absences"]
    assert tables["agency_placements"] == generated["agency"] > 0
    assert tables["price_caps"] == generated["price_caps"] == 10  # the South East's, two years
    assert tables["csww_workers"] == sum(generated[p.stem] for p in report.council.csww_files)
    assert tables["csww_vacancies"] == 5
    # Teams defined by the SSD are the ones the spreadsheets refer to by name: no duplicates.
    assert tables["teams"] == generated["ssd_department"]

    again = run_demo(
        settings, out_dir=tmp_path / "demo", seed=7, size="small", today=TODAY, la_code="826"
    )
    assert {r.status for r in again.imports} == {"unchanged"}


@pytest.mark.postgres
@requires_postgres
def test_same_seed_gives_the_same_counts_on_sqlite_and_postgresql(tmp_path: Path) -> None:
    counts = {}
    with fresh_postgres_database() as pg_url:
        for name, url in (("sqlite", f"sqlite:///{tmp_path / 'demo.db'}"), ("postgresql", pg_url)):
            settings = Settings(database_url=url, key_file=tmp_path / f"{name}.key")
            run_demo(
                settings,
                out_dir=tmp_path / f"demo-{name}",
                seed=11,
                size="small",
                today=TODAY,
                la_code="826",
            )
            db = open_database(settings)
            try:
                counts[name] = database_status(db)["authorities"]["826"]["tables"]
            finally:
                db.dispose()
    assert counts["sqlite"] == counts["postgresql"]
    assert counts["sqlite"]["involvements"] > 0
