"""The establishment, pipeline and reconcile services over a stored authority, on SQLite and
PostgreSQL: hand-worked figures, the default authority and date, and clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from caseloads.config import Settings
from caseloads.errors import ExtractError, NotFoundError
from caseloads.services.database import Database, open_database
from caseloads.services.establishment import AuthorityNotChosenError, establishment_summary
from caseloads.services.imports import import_extract
from caseloads.services.pipeline import pipeline_summary, recruitment_activity
from caseloads.services.reconcile import reconcile_table
from caseloads.services.setup import initialise

ESTABLISHMENT = """post_id,team,role,grade,fte,funding,start_date,end_date
P1,Assessment Team,social_worker,SW2,1,permanent,2020-01-01,
P2,Assessment Team,social_worker,SW2,1,permanent,2020-01-01,
P3,Assessment Team,social_worker,SW2,0.5,permanent,2020-01-01,
P4,Assessment Team,team_manager,TM,1,permanent,2020-01-01,
P5,CIN Team,social_worker,SW2,1,permanent,2020-01-01,2025-03-31
P6,CIN Team,social_worker,SW2,1,permanent,2020-01-01,
"""
STAFF = """worker_ref,swe_number,post_id,team,role,org_role,contract,fte,start_date,end_date,leaving_reason,qualified_date,asye_start
W1,SW0000000001,P1,Assessment Team,social_worker,5,permanent,1,2021-01-04,,,2015-07-01,
W2,,P2,Assessment Team,social_worker,5,agency,1,2024-06-01,,,2010-07-01,
W3,SW0000000003,,Assessment Team,social_worker,5,permanent,0.5,2024-09-01,2025-06-30,1,2012-07-01,
W4,SW0000000004,P4,Assessment Team,team_manager,3,permanent,1,2019-01-01,,,2008-07-01,
W5,,P6,CIN Team,social_worker,5,agency,1,2025-01-06,2025-08-15,,2011-07-01,
W6,SW0000000006,,CIN Team,social_worker,5,permanent,1,2022-01-01,,,2016-07-01,
W7,SW0000000007,,CIN Team,social_worker,5,fixed_term,1,2023-01-01,2099-03-31,,2018-07-01,
"""
PIPELINE = """candidate_ref,team,role,contract,fte,stage,stage_date,expected_start
C1,Assessment Team,social_worker,permanent,1,accepted,2025-08-20,2025-10-06
C2,CIN Team,social_worker,agency,0.6,checks,2025-09-01,2025-09-29
C3,Assessment Team,social_worker,permanent,1,applied,2025-07-14,
C4,Assessment Team,social_worker,permanent,1,offered,2025-08-11,
C5,,team_manager,permanent,1,accepted,2025-09-10,2025-11-03
C6,Assessment Team,social_worker,permanent,1,withdrawn,2025-08-02,
"""
FIGURES = (
    "establishment_fte",
    "permanent_fte",
    "vacancy_fte",
    "agency_fte",
    "agency_covering_vacancies_fte",
    "uncovered_vacancy_fte",
    "over_establishment_fte",
)
GAP = (
    "uncovered_vacancy_fte",
    "pipeline_permanent_fte",
    "pipeline_agency_fte",
    "pipeline_total_fte",
    "remaining_gap_fte",
    "surplus_fte",
    "candidates",
)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    initialise(settings)
    database = open_database(settings)
    yield database
    database.dispose()


def load(
    db: Database,
    folder: Path,
    la: str = "826",
    kinds: tuple[str, ...] = ("establishment", "staff", "pipeline"),
) -> None:
    texts = {"establishment": ESTABLISHMENT, "staff": STAFF, "pipeline": PIPELINE}
    for kind in kinds:
        path = folder / f"{kind}-{la}.csv"
        path.write_text(texts[kind], encoding="utf-8")
        import_extract(db, kind, path, la_code=la)


def pick(
    rows: list[dict[str, Any]], label: str, names: tuple[str, ...]
) -> dict[str, tuple[Any, ...]]:
    return {r[label]: tuple(r[n] for n in names) for r in rows}


def test_establishment_on_the_default_date(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path)
    rows = establishment_summary(db, by="role")
    # Default date: the latest recorded date, C5's stage date 2025-09-10 (W7's end in 2099 is a
    # plan, after the import).
    assert {(r["la_code"], r["as_of"]) for r in rows} == {("826", "2025-09-10")}
    # On 10 September 2025: W3 and W5 have left, P5 has ended.
    # Assessment social workers: P1 filled (W1); P2 agency W2 -> V 1, C 1; P3 0.5 empty -> U 0.5.
    # CIN social workers: P6 empty (V 1, U 1); W6 + W7 (fixed-term) have no post id: they fill
    #   P6 (f = 1, uncovered first) and 1.0 is over establishment.
    # social_worker: E 1+1+0.5+1 = 3.5, P 1+2 = 3, V 1.5+1-1 = 1.5, A 1, C 1, U 0.5, O 1.
    # team_manager: P4 filled by W4.
    assert pick(rows, "role", FIGURES) == {
        "social_worker": (3.5, 3.0, 1.5, 1.0, 1.0, 0.5, 1.0),
        "team_manager": (1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        "Total": (4.5, 4.0, 1.5, 1.0, 1.0, 0.5, 1.0),
    }


def test_establishment_by_team_on_a_past_date(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path)
    rows = establishment_summary(db, la_code="826", as_of=date(2025, 6, 30), by="team")
    # On 30 June 2025 W3 (0.5, no post id) and W5 (agency on P6) are still there.
    # Assessment: social workers E 2.5; P1 filled, P2 agency (V 1, C 1), P3 0.5 vacant filled by
    #   W3 from the pool (uncovered first): P 1.5, V 1.0, A 1, C 1, U 0, O 0; plus the team
    #   manager E 1, P 1. Team: E 3.5, P 2.5, V 1.0, A 1, C 1, U 0, O 0.
    # CIN: P6 E 1 with agency W5 (V 1, C 1); W6 + W7 (2.0, pooled) fill the covered vacancy
    #   (g2 = 1: W5 displaced) and 1.0 more: P 2, V 0, A 1, C 0, U 0, O 1 + 1 = 2.
    #   Check: E - P - A = 1 - 2 - 1 = -2 = U - O.
    assert pick(rows, "team", ("team_id", *FIGURES)) == {
        "Assessment Team": ("Assessment Team", 3.5, 2.5, 1.0, 1.0, 1.0, 0.0, 0.0),
        "CIN Team": ("CIN Team", 1.0, 2.0, 0.0, 1.0, 0.0, 0.0, 2.0),
        "Total": (None, 4.5, 4.5, 1.0, 2.0, 1.0, 0.0, 2.0),
    }


def test_pipeline_against_the_gap(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path)
    rows = pipeline_summary(db, by="role")
    # 10 September 2025: C1 (accepted, permanent 1.0) and C2 (checks, agency 0.6) for social
    # workers, whose uncovered vacancies are 0.5: surplus 1.6 - 0.5 = 1.1. C5 (team manager, no
    # team, permanent 1.0) against 0 uncovered: surplus 1.0. C3, C4, C6 are not accepted offers.
    assert pick(rows, "role", GAP) == {
        "social_worker": (0.5, 1.0, 0.6, 1.6, 0.0, 1.1, 2),
        "team_manager": (0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1),
        "Total": (0.5, 2.0, 0.6, 2.6, 0.0, 2.1, 3),
    }
    # Starting by 30 September: only C2 (29 September).
    soon = pipeline_summary(db, starting_by=date(2025, 9, 30), by="role")
    assert soon[-1]["starting_by"] == "2025-09-30"
    assert pick(soon, "role", GAP)["Total"] == (0.5, 0.0, 0.6, 0.6, 0.0, 0.1, 1)


def test_pipeline_by_team_keeps_offers_without_a_team_apart(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path)
    rows = pipeline_summary(db, by="team")
    # Assessment: U 0.5 against C1 1.0 -> surplus 0.5. CIN: U 0 against C2 0.6. No team: C5 1.0.
    assert pick(rows, "team", GAP) == {
        "Assessment Team": (0.5, 1.0, 0.0, 1.0, 0.0, 0.5, 1),
        "CIN Team": (0.0, 0.0, 0.6, 0.6, 0.0, 0.6, 1),
        "(no team given)": (0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1),
        "Total": (0.5, 2.0, 0.6, 2.6, 0.0, 2.1, 3),
    }


def test_recruitment_activity(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path)
    rows = recruitment_activity(db)
    names = ("applications", "offers", "acceptances", "checks", "withdrawn", "candidates")
    assert pick(rows, "month", names) == {
        "2025-07": (1, 0, 0, 0, 0, 1),  # C3 applied
        "2025-08": (0, 1, 1, 0, 1, 3),  # C4 offered, C1 accepted, C6 withdrew
        "2025-09": (0, 0, 1, 1, 0, 2),  # C5 accepted, C2 in checks
    }


def test_choosing_the_authority(db: Database, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="holds no authority"):
        establishment_summary(db)
    load(db, tmp_path)
    load(db, tmp_path, la="999", kinds=("staff",))
    with pytest.raises(AuthorityNotChosenError, match=r"2 authorities .*826, 999.*--la"):
        establishment_summary(db)
    with pytest.raises(NotFoundError, match="no data for authority '123'"):
        establishment_summary(db, la_code="123")
    with pytest.raises(
        NotFoundError, match=r"no establishment extract .*caseloads import establishment"
    ):
        establishment_summary(db, la_code="999")
    with pytest.raises(NotFoundError, match="no pipeline extract"):
        recruitment_activity(db, la_code="999")


def test_reconcile_service(tmp_path: Path) -> None:
    path = tmp_path / "paper.csv"
    path.write_text(
        "role,establishment,permanent,agency,vacant,over_under\n"
        "Social workers,10.0,8.0,1.0,1.0,0.0\n"
        "Team managers,2.0,2.0,0.5,0.0,(0.5)\n"
        "Total,12.0,10.0,1.5,1.5,(0.5)\n",
        encoding="utf-8",
    )
    report = reconcile_table(path, max_file_bytes=1_000_000)
    # Vacant: 1.0 + 0.0 = 1.0, not 1.5; the total row then reads 12 - 10 - 1.5 - 1.5 = -1.0.
    assert report["tolerance"] == pytest.approx(0.05)
    assert report["total_row"] is True and report["rows"] == 3
    assert [(f["row"], f["check"], f["column"], f["expected"]) for f in report["failures"]] == [
        (4, "row_sum", "over_under", -1.0),
        (4, "total", "vacant", 1.0),
    ]
    path.write_text(
        "role,establishment,permanent,agency,vacant,over_under\nA,x,1,0,0,0\n", encoding="utf-8"
    )
    with pytest.raises(ExtractError) as caught:
        reconcile_table(path, max_file_bytes=1_000_000)
    assert [(f.row, f.column, f.value) for f in caught.value.findings] == [
        (2, "establishment", "x")
    ]
    path.write_text("role,establishment,permanent,agency,vacant,over_under\n", encoding="utf-8")
    with pytest.raises(ExtractError, match="has no rows to check"):
        reconcile_table(path, max_file_bytes=1_000_000)
