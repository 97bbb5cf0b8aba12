"""The DfE indicators from a CSWW return (domain/workforce_census.py): a hand-worked return that
exercises every counting rule, and the liia-tools sample return (tests/fixtures/xml_samples)."""

from __future__ import annotations

from datetime import date

import polars as pl
from tests.ingest.helpers import CSWW_SAMPLE, P

from caseloads.domain.workforce_census import (
    census_checks,
    census_components,
    census_indicators,
    classify_census,
)
from caseloads.ingest.csww import read_csww

COLUMNS = {
    "la_code": pl.String,
    "census_year": pl.Int64,
    "person_key": pl.String,
    "agency": pl.Boolean,
    "fte": pl.Float64,
    "fte30": pl.Float64,
    "org_role": pl.Int64,
    "role_start_date": pl.Date,
    "role_end_date": pl.Date,
    "cases30": pl.Int64,
    "working_days_lost": pl.Float64,
}

# Census year 2024: 1 October 2023 to 30 September 2024 (a leap year: 254 working days).
# (label, person, agency, FTE, FTE30, OrgRole, RoleStartDate, RoleEndDate, Cases30, WorkingDaysLost)
RECORDS = [
    ("A1", "A", False, 1.0, 1.0, 5, date(2015, 1, 1), None, 10, 5.0),
    ("A2", "A", False, 0.2, 0.2, 4, date(2020, 1, 1), None, 2, 0.0),  # A's second, senior post
    ("B", "B", False, 0.5, None, 5, date(2024, 2, 1), None, 0, 1.5),  # a starter
    ("C", "C", False, 0.0, 0.8, 5, date(2018, 5, 1), date(2024, 3, 31), 0, 12.0),  # FTE in FTE30
    ("D", "D", False, 0.6, 0.0, 5, date(2010, 1, 1), date(2023, 12, 31), 0, 3.0),  # FTE in FTE
    ("E", "E", False, 0.0, 1.0, 5, date(2023, 11, 1), date(2024, 6, 30), 0, 2.0),  # in and out
    ("F", "F", False, None, None, 6, date(2019, 1, 1), None, 0, 0.0),  # FTE not known
    ("G", "G", False, 0.0, 0.7, 5, date(2012, 1, 1), date(2022, 6, 30), 0, 50.0),  # last year's
    ("H1", "H", True, 1.0, None, 5, date(2024, 1, 1), None, 15, None),  # agency, same person
    ("H2", "H", True, 0.5, None, 5, date(2024, 5, 1), None, 3, None),  # ... twice
    ("I", "I", True, 0.0, None, 5, date(2024, 7, 1), None, 4, None),  # agency with no FTE
]


def hand_return() -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = [("900", 2024, *r[1:]) for r in RECORDS]
    workers = pl.DataFrame(rows, schema=COLUMNS, orient="row")
    vacancies = pl.DataFrame(
        {"la_code": ["900"], "census_year": [2024], "vacancy_fte": [3.0], "agency_cover_fte": [1.5]}
    )
    return workers, vacancies


def test_records_are_classified_by_their_dates() -> None:
    workers, _ = hand_return()
    classified = classify_census(workers, 2024)
    status = dict(zip([r[0] for r in RECORDS], classified["status"], strict=True))
    assert status == {
        "A1": "in_post",
        "A2": "in_post",
        "B": "in_post",
        "C": "leaver",
        "D": "leaver",
        "E": "start_and_leave",
        "F": "in_post",
        "G": "outside",
        "H1": "in_post",
        "H2": "in_post",
        "I": "in_post",
    }
    assert classified["starter"].to_list() == [False, False, True] + [False] * 5 + [True] * 3
    # a leaver's FTE is whichever of FTE and FTE30 carries it
    assert classified["fte_leaving"].to_list()[2:5] == [0.5, 0.8, 0.6]


def test_the_hand_worked_return() -> None:
    workers, vacancies = hand_return()
    row = census_indicators(workers, vacancies, 2024).row(0, named=True)
    # In post: A (two posts, one person), B, F -> 3; FTE 1.0 + 0.2 + 0.5 (F has none) = 1.7.
    assert (row["inpost_headcount"], row["inpost_fte"]) == (3, 1.7)
    # Starters: B only (E started and left within the year: excluded [S2]).
    assert (row["starters_headcount"], row["starters_fte"]) == (1, 0.5)
    # Leavers: C (0.8 in FTE30) and D (0.6 in FTE); not E, not G (left in 2022).
    assert (row["leavers_headcount"], row["leavers_fte"]) == (2, 1.4)
    assert row["turnover_rate_fte"] == 82.4  # 100 × 1.4 / 1.7 = 82.35
    assert row["turnover_rate_headcount"] == 66.7  # 100 × 2 / 3
    # Agency: H twice (agency records are not de-duplicated [S1]) and I: 3 records, 1.5 FTE.
    assert (row["agency_headcount"], row["agency_fte"]) == (3, 1.5)
    assert row["agency_rate_fte"] == 46.9  # 100 × 1.5 / (1.5 + 1.7) = 46.875
    assert row["agency_rate_headcount"] == 50.0  # 100 × 3 / (3 + 3)
    assert (row["agency_cover_fte"], row["agency_cover_rate_fte"]) == (1.5, 100.0)
    assert (row["vacancy_fte"], row["vacancy_rate_fte"]) == (3.0, 63.8)  # 100 × 3 / 4.7 = 63.83
    assert row["vacancy_agency_cover_rate_fte"] == 50.0  # 100 × 1.5 / 3
    # Case holders: FTE > 0 and a case: A1 1.0, A2 0.2, H1 1.0, H2 0.5 = 2.7 (I has no FTE).
    # Cases: every worker in post, agency included: 10 + 2 + 15 + 3 + 4 = 34.
    assert (row["case_holders_fte"], row["cases"]) == (2.7, 34)
    assert row["caseload_fte"] == 12.6  # 34 / 2.7 = 12.59
    # Days lost by the year's directly employed records: 5 + 1.5 + 12 + 3 + 2 = 23.5 (not G's).
    assert row["working_days_lost_fte"] == 23.5
    assert row["absence_rate_fte"] == 5.4  # 100 × 23.5 / (1.7 × 254) = 5.44
    assert (row["la_code"], row["year"]) == ("900", 2024)


def test_by_role_counts_a_person_once_under_the_senior_post() -> None:
    workers, vacancies = hand_return()
    rows = {
        r["org_role"]: r for r in census_indicators(workers, vacancies, 2024, by="role").to_dicts()
    }
    assert set(rows) == {4, 5, 6}
    # A is counted under Senior Practitioner (4), more senior than Case Holder (5) [S1] ...
    assert (rows[4]["role"], rows[4]["inpost_headcount"], rows[4]["inpost_fte"]) == (
        "Senior Practitioner",
        1,
        0.2,
    )
    # ... while A's Case Holder FTE stays with the Case Holder posts (FTE is not de-duplicated).
    assert (rows[5]["inpost_headcount"], rows[5]["inpost_fte"]) == (1, 1.5)
    assert rows[6]["inpost_headcount"] == 1
    assert sum(r["inpost_headcount"] for r in rows.values()) == 3
    assert (rows[5]["leavers_headcount"], rows[5]["agency_headcount"]) == (2, 3)
    # Vacancies are an authority-level item: none by role.
    assert all(r["vacancy_fte"] is None and r["vacancy_rate_fte"] is None for r in rows.values())


def read_sample() -> tuple[pl.DataFrame, pl.DataFrame]:
    extract = read_csww(CSWW_SAMPLE, la_code="301", pseudonymiser=P, max_file_bytes=10**7)
    with_la = pl.lit("301").alias("la_code")
    return (
        extract.frames["csww_workers"].with_columns(with_la),
        extract.frames["csww_vacancies"].with_columns(with_la),
    )


def test_the_sample_lalevel_file_cannot_be_reproduced_from_its_workers() -> None:
    """``csww_2022_sample_lalevel.csv`` (LEA 301, 2022: NumberOfVacancies 79.68, NoAgencyFTE 59.82,
    NoAgencyHeadcount 71) against ``csww_2022_sample_workers.csv`` (the same return, liia-tools
    sample, random values). Agency records in post at 30 September 2022 (AgencyWorker 1, no
    RoleEndDate, RoleStartDate not after the census date), from the worker file: Oz2054309383
    0.521371, nH9419631053 0.133587, tN2120744892 0.803122, Kv3016593719 0.12232, cD9282390165
    0.192894, Pv9093835426 0.561974: 6 records, 2.335268 FTE. The file says 59.82 FTE and 71
    agency workers cover vacancies: more than there are. So the LA-level file is not derived from
    the worker file (the generator draws both at random), and NumberOfVacancies cannot be checked
    at all without the establishment."""
    workers, vacancies = read_sample()
    checks = {r["check"]: r for r in census_checks(workers, vacancies, 2022).to_dicts()}
    assert checks["agency_cover_fte_above_agency_fte"]["figure"] == 59.82
    assert round(checks["agency_cover_fte_above_agency_fte"]["limit"], 6) == 2.335268
    assert (
        checks["agency_cover_headcount_above_agency_headcount"]["figure"],
        checks["agency_cover_headcount_above_agency_headcount"]["limit"],
    ) == (71, 6)
    # 20 of its 30 records fall outside the year: 13 leave on 2023-03-28 or 2018/2019 dates, and
    # 7 more start after 30 September 2022 (2022-10-08 and 2023-03-28).
    assert checks["records_outside_year"]["figure"] == 20
    assert "agency_cover_fte_above_vacancies" not in checks  # 59.82 <= 79.68


def test_the_sample_worker_file_by_hand() -> None:
    """The indicators of the sample's worker records, worked by hand from
    ``csww_2022_sample_workers.csv``. Directly employed and in post at 30 September 2022:
    wf3752370095 (FTE 0.843488, 1997), Aj9242652291 (0.859218, OrgRole 1, 85 cases),
    QW8564363911 (0.978729), Jd1465867330 (0.034436, 23 cases): 4 people, 2.715871 FTE. No leaver
    or starter falls within the year."""
    workers, vacancies = read_sample()
    components = census_components(workers, vacancies, 2022).row(0, named=True)
    assert round(components["inpost_fte"], 6) == 2.715871
    assert components["inpost_headcount"] == 4
    assert (components["leavers_headcount"], components["starters_headcount"]) == (0, 0)
    # Cases: 85 + 23 direct, plus the agency records in post: 72 + 23 (Kv30) + 14 (cD92) + 63 (Pv90)
    assert components["cases"] == 85 + 23 + 72 + 23 + 14 + 63
    # Days lost by the 4 in post: 16.74 + 98.22 + (none given) + 83.01
    assert round(components["working_days_lost_fte"], 2) == 197.97
    row = census_indicators(workers, vacancies, 2022).row(0, named=True)
    assert row["absence_rate_fte"] == 28.8  # 100 × 197.97 / (2.715871 × 253) = 28.81
    assert row["vacancy_fte"] == 79.7 and row["agency_cover_fte"] == 59.8
