"""``agency_check`` (services/agency.py) over imported files, on SQLite and PostgreSQL, and the
``caseloads agency-check`` command over the same service.

The facts are worked by hand against the DfE agency rules (definitions.md §2): authority 826 is in
the South East, 301 in London (the bundled DfE statistical neighbour model).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caseloads.cli import app
from caseloads.config import Settings
from caseloads.errors import CaseloadsError, ExtractError
from caseloads.ingest.pseudonymise import local_namespace
from caseloads.services.agency import agency_check, summary
from caseloads.services.database import Database, open_database
from caseloads.services.imports import import_path
from caseloads.services.setup import initialise
from caseloads.services.status import database_status

AGENCY = (
    "worker_ref,agency,role,start_date,end_date,hourly_rate,qualified_date,"
    "months_post_qualifying_la_experience,last_substantive_employer_region,"
    "last_substantive_end_date,references_received\n"
    # Compliant: 60 months, left a South East post 7 months earlier, 2 references, £40 <= £42.50.
    "A1,Acme,social_worker,2025-01-06,,40.00,2018-07-01,60,South East,2024-06-30,2\n"
    # Rule 3: 30 months (< 36). Rule 4: left a South East post 36 days before. Rule 1: £45.50.
    "A2,Acme,social_worker,2025-01-06,,45.50,2019-07-01,30,South East,2024-12-01,2\n"
    # Nothing known but the assignment: every check could not be made.
    "A3,Beta,team_manager,2025-02-03,,,,,,,\n"
    # Rule 6: one reference. Left a post in London within 3 months: another region, no breach.
    "A4,Beta,senior social worker,2025-03-03,,46.00,2012-09-01,120,London,2025-02-28,1\n"
    # Ended before the date: not checked.
    "A5,Beta,social_worker,2025-01-06,2025-06-30,90,2024-01-01,0,South East,2024-12-31,0\n"
)
CAPS = (
    "region,role,hourly_cap,effective_from\n"
    "South East,social_worker,42.50,2025-04-01\n"
    "South East,senior_social_worker,47.00,2025-04-01\n"
    "London,social_worker,45.00,2025-04-01\n"
)
AS_OF = date(2025, 11, 1)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def db(settings: Settings, tmp_path: Path) -> Database:
    initialise(settings)
    database = open_database(settings)
    import_path(database, "agency", write(tmp_path, "agency.csv", AGENCY), la_code="826")
    import_path(database, "price-caps", write(tmp_path, "caps.csv", CAPS), la_code="826")
    return database


def worker(db: Database, ref: str, la: str = "826") -> str:
    return db.pseudonymiser.one(local_namespace(la, "worker"), ref)


def test_each_breach_and_each_check_that_could_not_be_made(db: Database) -> None:
    try:
        rows = agency_check(db, "826", AS_OF)
        a2, a3, a4 = (worker(db, r) for r in ("A2", "A3", "A4"))
        # Breaches first, then the checks that could not be made (by worker: ids are keyed hashes).
        statuses = [r["status"] for r in rows]
        assert statuses == sorted(statuses)
        assert {(r["worker_id"], r["rule"], r["status"], r["value"], r["limit"]) for r in rows} == {
            (a2, "experience", "breach", 30, 36),
            (a2, "cooling_off", "breach", 36, 90),  # 1 Dec 2024 -> 6 Jan 2025; ends 1 Mar
            (a2, "price_cap", "breach", 45.5, 42.5),
            (a4, "references", "breach", 1, 2),
            (a3, "experience", "could_not_check", None, 36),
            (a3, "cooling_off", "could_not_check", None, None),
            (a3, "references", "could_not_check", None, 2),
            (a3, "price_cap", "could_not_check", None, None),
        }
        assert {r["missing"] for r in rows if r["worker_id"] == a3} == {
            "months_post_qualifying_la_experience",
            "last_substantive_end_date",
            "references_received",
            "hourly_rate; price cap (South East, team_manager)",
        }
        first = next(r for r in rows if r["worker_id"] == a2 and r["rule"] == "experience")
        assert first["la_code"] == "826" and first["region"] == "South East"
        assert first["as_of"] == "2025-11-01" and first["start_date"] == "2025-01-06"
        assert first["agency"] == "Acme" and first["unit"] == "months"
        assert json.loads(json.dumps(rows)) == rows  # JSON-safe as it is
        assert summary(rows) == {
            "breach": 4,
            "could_not_check": 4,
            "pass": 0,
            "not_applicable": 0,
            "workers_in_breach": 2,
        }
    finally:
        db.dispose()


def test_with_passes_every_check_of_every_running_assignment_is_listed(db: Database) -> None:
    try:
        rows = agency_check(db, "826", AS_OF, include_passes=True)
        assert len(rows) == 4 * 4  # A5 ended before the date
        a1 = worker(db, "A1")
        assert {r["status"] for r in rows if r["worker_id"] == a1} == {"pass"}
        a4_cooling = next(
            r for r in rows if r["worker_id"] == worker(db, "A4") and r["rule"] == "cooling_off"
        )
        assert a4_cooling["status"] == "pass" and "another region (London)" in a4_cooling["detail"]
        # Before the caps took effect (1 April 2025) there is no cap in force to check against.
        early = agency_check(db, "826", date(2025, 3, 31), include_passes=True)
        caps = {r["status"] for r in early if r["rule"] == "price_cap"}
        assert caps == {"could_not_check"}
    finally:
        db.dispose()


def test_agency_workers_in_the_staff_extract_without_facts(db: Database, tmp_path: Path) -> None:
    staff = write(
        tmp_path,
        "staff.csv",
        "worker_ref,swe_number,post_id,team,role,org_role,contract,fte,start_date,end_date,"
        "leaving_reason,qualified_date,asye_start\n"
        "A1,,,MASH,social_worker,5,agency,1,2025-01-06,,,2018-07-01,\n"
        "A9,,,MASH,social_worker,5,agency,1,2025-05-01,,,,\n"
        "W1,,,MASH,social_worker,5,permanent,1,2020-01-06,,,2015-07-01,\n",
    )
    try:
        import_path(db, "staff", staff, la_code="826")
        rows = agency_check(db, "826", AS_OF)
        a9 = [r for r in rows if r["worker_id"] == worker(db, "A9")]
        assert [(r["rule"], r["status"], r["missing"]) for r in a9] == [
            ("experience", "could_not_check", "agency import row"),
            ("cooling_off", "could_not_check", "agency import row"),
            ("references", "could_not_check", "agency import row"),
            ("price_cap", "could_not_check", "agency import row"),
        ]
        assert not [r for r in rows if r["worker_id"] in (worker(db, "A1"), worker(db, "W1"))]
    finally:
        db.dispose()


def test_each_authority_uses_its_own_regions_caps(db: Database, tmp_path: Path) -> None:
    # 301 (London) loads the same facts but no caps: its rates cannot be checked, and 826's
    # South East caps (or the London row of 826's file) are not borrowed.
    try:
        import_path(db, "agency", write(tmp_path, "a301.csv", AGENCY), la_code="301")
        rows = agency_check(db, None, AS_OF)
        assert [r["la_code"] for r in rows] == sorted(r["la_code"] for r in rows)
        london = [r for r in rows if r["la_code"] == "301"]
        assert {r["region"] for r in london} == {"London"}
        caps = {r["status"] for r in london if r["rule"] == "price_cap"}
        assert caps == {"could_not_check"}
        # A2 left a South East post 36 days before: for a London authority, another region.
        a2 = worker(db, "A2", "301")
        assert not [r for r in london if r["worker_id"] == a2 and r["rule"] == "cooling_off"]
    finally:
        db.dispose()


def test_a_bad_file_is_refused_whole_and_changes_nothing(db: Database, tmp_path: Path) -> None:
    bad = AGENCY + "A6,Acme,social worker,2025-01-06,,4550,,,,,\n"
    try:
        before = database_status(db)["authorities"]["826"]["tables"]
        with pytest.raises(ExtractError) as refused:
            import_path(db, "agency", write(tmp_path, "bad.csv", bad), la_code="826")
        (finding,) = refused.value.findings
        assert (finding.file, finding.row, finding.column, finding.value, finding.rule) == (
            "bad.csv",
            7,
            "hourly_rate",
            "4550",
            "range",
        )
        assert database_status(db)["authorities"]["826"]["tables"] == before
    finally:
        db.dispose()


def test_without_agency_data_the_check_says_what_to_import(settings: Settings) -> None:
    initialise(settings)
    db = open_database(settings)
    try:
        with pytest.raises(CaseloadsError, match="caseloads import agency FILE --la 826"):
            agency_check(db, "826", AS_OF)
        with pytest.raises(CaseloadsError, match="no authority has agency assignments"):
            agency_check(db, None, AS_OF)
        with pytest.raises(CaseloadsError, match="not a DfE authority number"):
            agency_check(db, "82", AS_OF)
    finally:
        db.dispose()


def test_the_command_prints_the_services_rows(db: Database, settings: Settings) -> None:
    db.dispose()
    base = ["--database", settings.database_url, "--key-file", str(settings.resolved_key_file())]
    runner = CliRunner()
    result = runner.invoke(
        app, [*base, "agency-check", "--la", "826", "--as-of", "2025-11-01", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == agency_check(db, "826", AS_OF)
    result = runner.invoke(app, [*base, "agency-check", "--as-of", "2025-11-01"])
    assert result.exit_code == 0, result.output
    assert "4 breach(es) by 2 worker(s); 4 check(s) could not be made" in result.output
    result = runner.invoke(app, [*base, "agency-check", "--as-of", "2025-11-01", "--format", "csv"])
    header = result.output.splitlines()[0]
    assert header.startswith("la_code,region,as_of,worker_id,agency,role,start_date,end_date,rule")
    result = runner.invoke(app, [*base, "agency-check", "--as-of", "1 Nov"])
    assert result.exit_code == 1 and "is not a date" in result.output
    db.dispose()
