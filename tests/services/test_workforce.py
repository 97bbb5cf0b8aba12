"""``caseloads workforce`` and the turnover commands end to end (services/workforce.py,
services/turnover.py, commands/): on SQLite and PostgreSQL, through the ordinary imports.

Two kinds of anchor: a small CSWW return written here and worked by hand, and the synthetic
council, whose CSWW returns and staff extract are generated from the same simulated workforce, so
the figures from the return (``--year``) and from the staff extract (``--as-of`` 30 September)
must agree."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caseloads.cli import app
from caseloads.config import Settings
from caseloads.domain.workforce_rates import INDICATORS
from caseloads.errors import NotFoundError
from caseloads.services.database import Database, open_database
from caseloads.services.demo import run_demo
from caseloads.services.imports import import_path
from caseloads.services.setup import initialise
from caseloads.services.turnover import (
    experience_profile,
    leavers_breakdown,
    time_in_post,
    time_in_post_curve,
    turnover_by_month,
)
from caseloads.services.workforce import (
    WorkforceRequestError,
    census_return_checks,
    workforce_indicators,
)

TODAY = date(2025, 3, 31)
CENSUS_YEARS = (2020, 2021, 2022, 2023, 2024)  # the small demo's returns (today 31 March 2025)


@pytest.fixture
def demo(settings: Settings, tmp_path: Path) -> Iterator[Database]:
    """The small synthetic council (826) loaded through the imports."""
    run_demo(settings, out_dir=tmp_path / "demo", seed=7, size="small", today=TODAY, la_code="826")
    db = open_database(settings)
    try:
        yield db
    finally:
        db.dispose()


def test_the_return_and_the_staff_extract_agree(demo: Database) -> None:
    """For every census year, the figures computed from the CSWW return equal those computed
    from the staff extract, absences, SSD allocations and establishment over the same 12 months,
    but for agency cover, which the generator (synthetic/csww.py) fills differently (a leaver's
    FTE is in FTE30, as domain/workforce_census.py reads it, so leavers' FTE agree):

    - agency cover: it writes ``NoAgencyFTE`` = min(agency FTE, vacancies) over the whole
      authority, while from the staff extract it is counted post by post as ``caseloads
      establishment`` does (an agency worker in a filled post covers no vacancy), which can only
      be less: a sum of minima is at most the minimum of the sums."""
    differ = {
        "agency_cover_fte",
        "agency_cover_rate_fte",
        "vacancy_agency_cover_rate_fte",
    }
    for year in CENSUS_YEARS:
        (census,) = workforce_indicators(demo, la_code="826", year=year)
        (staff,) = workforce_indicators(demo, la_code="826", as_of=date(year, 9, 30))
        assert (census["source"], staff["source"]) == ("csww", "staff")
        assert census["as_of"] == staff["as_of"] == f"{year}-09-30"
        assert census["period_start"] == staff["period_start"] == f"{year - 1}-10-01"
        for name in INDICATORS:
            if name not in differ:
                assert census[name] == staff[name], (year, name)
        assert census["leavers_fte"] > 0
        assert staff["agency_cover_fte"] <= census["agency_cover_fte"]
        assert census["agency_cover_fte"] == min(census["agency_fte"], census["vacancy_fte"])
        assert census["inpost_headcount"] > 0 and census["cases"] > 0


def test_rows_by_team_and_role_add_up(demo: Database) -> None:
    (whole,) = workforce_indicators(demo, as_of=date(2024, 9, 30))
    for by in ("team", "role"):
        groups = workforce_indicators(demo, as_of=date(2024, 9, 30), by=by)
        assert len(groups) > 1 and all(r["la_code"] == "826" for r in groups)
        for name in ("inpost_headcount", "leavers_headcount", "agency_headcount", "cases"):
            assert sum(r[name] for r in groups) == whole[name], (by, name)
    teams = workforce_indicators(demo, as_of=date(2024, 9, 30), by="team")
    assert {"team_id", "team"} <= set(teams[0]) and all(r["team"] for r in teams)
    roles = workforce_indicators(demo, year=2024, by="role")
    assert sum(r["inpost_headcount"] for r in roles) == whole["inpost_headcount"]
    assert all(r["vacancy_fte"] is None for r in roles)  # an authority-level item of the return


def test_clear_errors(demo: Database) -> None:
    with pytest.raises(NotFoundError, match=r"no csww return for 2019.*2020, 2021, 2022"):
        workforce_indicators(demo, la_code="826", year=2019)
    with pytest.raises(NotFoundError, match="does not record teams"):
        workforce_indicators(demo, year=2024, by="team")
    with pytest.raises(WorkforceRequestError, match="not both"):
        workforce_indicators(demo, year=2024, as_of=date(2024, 9, 30))
    with pytest.raises(NotFoundError, match="authority 999 has no staff extract"):
        workforce_indicators(demo, la_code="999", as_of=date(2024, 9, 30))
    with pytest.raises(WorkforceRequestError, match="destination need a CSWW return"):
        leavers_breakdown(demo, as_of=date(2024, 9, 30), by="destination")


def test_turnover_commands_agree_with_the_indicators(demo: Database) -> None:
    for year in (2023, 2024):
        september = date(year, 9, 30)
        (dfe,) = workforce_indicators(demo, as_of=september)
        months = turnover_by_month(demo, as_of=september, months=12)
        assert len(months) == 12 and months[-1]["month"] == f"{year}-09-01"
        # the rolling 12 months to September is the census year's turnover
        assert months[-1]["turnover_rate_12m"] == dfe["turnover_rate_headcount"]
        assert months[-1]["headcount_end"] == dfe["inpost_headcount"]
        # leavers by reason (return) add up to the DfE leavers of the year
        reasons = leavers_breakdown(demo, year=year)
        assert sum(r["leavers_headcount"] for r in reasons) == dfe["leavers_headcount"]
        assert [r["code"] for r in reasons] == list(range(1, 11))
        destinations = leavers_breakdown(demo, year=year, by="destination")
        assert sum(r["leavers_headcount"] for r in destinations) == dfe["leavers_headcount"]
        assert {r["attrition_group"] for r in destinations} == {
            "mover",
            "agency_attrition",
            "full_attrition",
        }
        # time in the authority: RoleStartDate (return) and the employment spell (staff) agree
        (from_return,) = experience_profile(demo, year=year)
        (from_staff,) = experience_profile(demo, as_of=september)
        for name in ("headcount", "in_authority_under_2y", "in_authority_under_5y"):
            assert from_return[name] == from_staff[name], name
        assert from_return["headcount"] == dfe["inpost_headcount"]
        assert from_return["qualified_known"] == 0 and from_staff["qualified_known"] > 0


def test_survival_of_time_in_post(demo: Database) -> None:
    (summary,) = time_in_post(demo, as_of=TODAY)
    assert summary["as_of"] == TODAY.isoformat() and summary["window_start"] is not None
    assert summary["spells"] > summary["leavers"] > 0 and summary["left_truncated"] > 0
    curve = time_in_post_curve(demo, as_of=TODAY)
    assert sum(r["leavers"] for r in curve) == summary["leavers"]
    survival = [r["survival"] for r in curve]
    assert survival == sorted(survival, reverse=True) and 0 <= survival[-1] < 1
    within = [summary[f"left_within_{y}y_pct"] for y in (1, 2, 5)]
    known = [w for w in within if w is not None]
    assert known == sorted(known)
    # counting only resignations as leaving, fewer leave
    (voluntary,) = time_in_post(demo, as_of=TODAY, voluntary_only=True)
    assert voluntary["leavers"] <= summary["leavers"]
    with pytest.raises(WorkforceRequestError, match="after the date"):
        time_in_post(demo, as_of=date(2024, 1, 1), since=date(2024, 6, 1))


# --- a return worked by hand ---------------------------------------------------------------------

HEADER = (
    "<Header><CollectionDetails><Collection>CSWW</Collection><Year>2023</Year>"
    "<ReferenceDate>2023-09-30</ReferenceDate></CollectionDetails><Source>"
    "<SourceLevel>L</SourceLevel><LEA>826</LEA></Source></Header>"
)
LALEVEL = (
    "<LALevelVacancies><NumberOfVacancies>2.00</NumberOfVacancies><NoAgencyFTE>1.40</NoAgencyFTE>"
    "<NoAgencyHeadcount>2</NoAgencyHeadcount></LALevelVacancies>"
)


def worker(agency: int, swe: str, **items: str) -> str:
    person = (
        ""
        if agency
        else (
            "<PersonBirthDate>1980-01-01</PersonBirthDate><GenderCurrent>2</GenderCurrent>"
            "<Ethnicity>WBRI</Ethnicity><QualInst>Somewhere</QualInst>"
        )
    )
    body = "".join(f"<{k}>{v}</{k}>" for k, v in items.items())
    return f"<CSWWWorker><AgencyWorker>{agency}</AgencyWorker><SWENo>{swe}</SWENo>{person}{body}</CSWWWorker>"


def hand_return(folder: Path) -> Path:
    """Census year 2023 (1 Oct 2022 - 30 Sep 2023, 253 working days):

    1. SW1, Case Holder, FTE 1.0, since 2015, 12 cases, 4 days lost;
    2. SW1 again (same person: SWE number, birth date, gender, ethnicity), First Line Manager,
       FTE 0.5;
    3. SW2, a starter (1 March 2023), FTE 0.8, 8 cases, 1 day lost;
    4. SW3, a leaver (30 June 2023, resigned, to agency work), FTE 0 and FTE30 0.6, 10 days lost;
    5. and 6. two agency records of one person, FTE 1.0 (20 cases) and 0.4 (5 cases).
    """
    workers = [
        worker(0, "SW0000000001", FTE="1.000000", OrgRole="5", RoleStartDate="2015-01-01",
               StartOrigin="2", FTE30="1.000000", Cases30="12", WorkingDaysLost="4.00"),
        worker(0, "SW0000000001", FTE="0.500000", OrgRole="3", RoleStartDate="2020-01-01",
               StartOrigin="2", FTE30="0.500000", Cases30="0", WorkingDaysLost="0.00"),
        worker(0, "SW0000000002", FTE="0.800000", OrgRole="5", RoleStartDate="2023-03-01",
               StartOrigin="1", FTE30="0.800000", Cases30="8", WorkingDaysLost="1.00"),
        worker(0, "SW0000000003", FTE="0", OrgRole="5", RoleStartDate="2010-01-01",
               StartOrigin="2", RoleEndDate="2023-06-30", LeaverDestination="3",
               ReasonLeave="1", FTE30="0.600000", Cases30="0", WorkingDaysLost="10.00"),
        worker(1, "SW0000000004", FTE="1.000000", OrgRole="5", Cases30="20"),
        worker(1, "SW0000000004", FTE="0.400000", OrgRole="5", Cases30="5"),
    ]  # fmt: skip
    path = folder / "csww_2023.xml"
    path.write_text(f"<?xml version='1.0'?><Message>{HEADER}{LALEVEL}{''.join(workers)}</Message>")
    return path


def test_a_hand_worked_return(settings: Settings, tmp_path: Path) -> None:
    initialise(settings)
    db = open_database(settings)
    try:
        (result,) = import_path(db, "csww", hand_return(tmp_path))
        assert result.status == "imported"
        (row,) = workforce_indicators(db, year=2023)
        by_role = workforce_indicators(db, year=2023, by="role")
        (reasons,) = [r for r in leavers_breakdown(db, year=2023) if r["leavers_headcount"]]
        (destinations,) = [
            r for r in leavers_breakdown(db, year=2023, by="destination") if r["leavers_headcount"]
        ]
    finally:
        db.dispose()
    assert (row["la_code"], row["year"], row["as_of"]) == ("826", 2023, "2023-09-30")
    assert (row["inpost_headcount"], row["inpost_fte"]) == (2, 2.3)  # SW1 once; 1.0 + 0.5 + 0.8
    assert (row["starters_headcount"], row["starters_fte"]) == (1, 0.8)
    assert (row["leavers_headcount"], row["leavers_fte"]) == (1, 0.6)  # from FTE30
    assert row["turnover_rate_fte"] == 26.1  # 100 × 0.6 / 2.3 = 26.09
    assert row["turnover_rate_headcount"] == 50.0  # 1 of 2
    assert (row["agency_headcount"], row["agency_fte"]) == (2, 1.4)  # not de-duplicated
    assert row["agency_rate_fte"] == 37.8  # 100 × 1.4 / 3.7 = 37.84
    assert row["agency_rate_headcount"] == 50.0  # 2 of 4
    assert (row["agency_cover_fte"], row["agency_cover_rate_fte"]) == (1.4, 100.0)
    assert (row["vacancy_fte"], row["vacancy_rate_fte"]) == (2.0, 46.5)  # 2 / 4.3 = 46.51
    assert row["vacancy_agency_cover_rate_fte"] == 70.0  # 1.4 / 2
    assert (row["case_holders_fte"], row["cases"]) == (3.2, 45)  # 1.0 + 0.8 + 1.0 + 0.4
    assert row["caseload_fte"] == 14.1  # 45 / 3.2 = 14.06
    assert row["working_days_lost_fte"] == 15.0  # 4 + 1 + 10
    assert row["absence_rate_fte"] == 2.6  # 100 × 15 / (2.3 × 253) = 2.58
    # SW1 is counted once, under First Line Manager (3), the more senior of the two posts.
    heads = {r["org_role"]: r["inpost_headcount"] for r in by_role}
    assert heads == {3: 1, 5: 1}
    assert (reasons["code"], reasons["label"], reasons["leavers_fte"]) == (1, "Resignation", 0.6)
    assert (destinations["code"], destinations["attrition_group"]) == (3, "agency_attrition")


def test_the_command_line(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--database", settings.database_url, "--key-file", str(settings.resolved_key_file())]
    initialise(settings)
    db = open_database(settings)
    try:
        import_path(db, "csww", hand_return(tmp_path))
    finally:
        db.dispose()
    result = runner.invoke(app, [*base, "workforce", "--year", "2023", "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert (row["la_code"], row["year"], row["caseload_fte"]) == ("826", 2023, 14.1)
    assert list(row)[-22:] == list(INDICATORS)  # the DfE's columns, in the DfE's order
    result = runner.invoke(app, [*base, "workforce", "--year", "2023", "--format", "csv"])
    assert result.output.splitlines()[0].endswith(
        ",caseload_fte,working_days_lost_fte,absence_rate_fte"
    )
    result = runner.invoke(app, [*base, "workforce", "--year", "2023"])
    assert result.exit_code == 0 and "absence_rate_fte" in result.output and "26.1" in result.output
    result = runner.invoke(app, [*base, "workforce", "--year", "2022"])
    assert result.exit_code == 1 and "csww return for 2022 loaded" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, [*base, "workforce", "--as-of", "30/09/2023"])
    assert result.exit_code == 1 and "is not a date" in result.output
    result = runner.invoke(
        app, [*base, "leavers", "--year", "2023", "--by", "destination", "--format", "csv"]
    )
    assert result.exit_code == 0
    assert "3,Agency or consultancy in social work (in England),agency_attrition,1,0.6,100.0" in (
        result.output
    )
    for command in ("workforce", "turnover", "leavers", "experience", "survival"):
        help_text = runner.invoke(app, [command, "--help"])
        assert help_text.exit_code == 0 and "--la" in help_text.output


def test_the_sample_return_is_checked(settings: Settings) -> None:
    """The liia-tools sample return (tests/fixtures/xml_samples/csww_2022_sample.xml, the XML of
    ``csww_2022_sample_workers.csv`` and ``_lalevel.csv``): its LALevelVacancies claims more
    agency cover (59.82 FTE, 71 workers) than its 6 agency records in post hold (2.335268 FTE;
    worked by hand in tests/domain/test_workforce_census.py), and 20 of its 30 records fall
    outside the census year."""
    sample = Path(__file__).parents[1] / "fixtures" / "xml_samples" / "csww_2022_sample.xml"
    initialise(settings)
    db = open_database(settings)
    try:
        import_path(db, "csww", sample)
        checks = {r["check"]: r for r in census_return_checks(db, la_code="301", year=2022)}
        (row,) = workforce_indicators(db, la_code="301", year=2022)
    finally:
        db.dispose()
    assert set(checks) == {
        "agency_cover_fte_above_agency_fte",
        "agency_cover_headcount_above_agency_headcount",
        "records_outside_year",
    }
    assert (checks["agency_cover_fte_above_agency_fte"]["figure"], row["agency_fte"]) == (
        59.82,
        2.3,
    )
    assert checks["agency_cover_headcount_above_agency_headcount"]["limit"] == 6
    assert checks["records_outside_year"]["figure"] == 20
    assert (
        row["agency_cover_rate_fte"] == 2561.6
    )  # 100 × 59.82 / 2.335268: the return's own figures
