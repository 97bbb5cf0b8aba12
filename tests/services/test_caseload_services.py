"""``caseloads caseload``, ``caseload-history``, ``allocate`` and ``weights`` end to end
(services/caseload.py, commands/caseload.py) on SQLite and PostgreSQL, through the ordinary
imports (SSD, staff, reductions) and a scheme loaded from YAML.

The anchor: a small authority written here and worked by hand in the comments. The main date is
D = 30 June 2024. The test scheme (from 1 April 2024) gives points referral 1, assessment 2,
cin 3, cp 5, cla 5, care leaver 2, other 1; court uplift 3; sibling factor 0.5; capacity per FTE
social worker 20, senior practitioner 16, team manager 0; ASYE 10% for 12 months; RAG green to
85%, amber to 100%; standards cin_cp 3 and assessment 4 children per FTE (small on purpose, so
each team status shows); margins 5% (pressure) and 10% (release).

Children on D (statuses: domain/child_status.py):

- C1: CLA 2024-01-01, ceased 2024-06-30 (exclusive: not looked after on D) and a CP plan from
  2024-05-01: **cp** (5) on D; **cla** (5) on 29 June.
- C2: CLA since 2023 and a CP plan: **cla** (precedence), letter to issue care proceedings
  2024-06-01 so court-flagged until 2024-11-29: 5 + 3 = **8**.
- C3: CIN plan 2024-03-01 to 2024-06-30 (inclusive): **cin** (3) on D, **other** (1) on 1 July.
- C4: referral 2024-06-20, assessment from 2024-06-25 not authorised: **assessment** (2).
- C5: referral 2024-06-28 only: **referral** (1).
- C6: referral 2024-01-10 open, assessment authorised 2024-02-01: **cin** after assessment (3).
- C7: care leaver, last care episode ceased 2024-03-01: **care_leaver** (2).
- C8: nothing open: **other** (1).
- C9: looked after from 2024-06-01, letter to issue care proceedings 2024-06-15: **cla** +
  court = 8 (the SSD has no legal status; the 903's interim care orders: tests/domain).
- C10: referral 2024-06-01: **referral** (1).

Families: F1 = C1, C2, C3; F2 = C4, C5; the others have none (a family each).

Workers (staff extract) and what they hold on D (allocated roles only; the IRO is not counted):

- S1 social worker, CIN and CP Team, 1.0 FTE: C1, C2 (involvement ends on D: still held), C3
  (twice, overlapping: once), C6 (from D, "Allocated Case Worker"). 4 children, 2 families;
  F1 = 8 + 0.5 x (5 + 3) = 12, C6 = 3: **15** points of 20 = **75.0%** green.
- S2 social worker, CIN and CP Team, 0.25 FTE, ASYE from 2024-01-15: C4, C5, C7. F2 = 2 + 0.5 x 1
  = 2.5, C7 = 2: **4.5** points; capacity 20 x 0.25 x 0.9 = **4.5**: **100.0%**, amber (the
  band's top), protected but not over the level.
- S3 team manager, CIN and CP Team: C8 (1 point), capacity 0: red, no %, manager flag.
- S4 senior practitioner, Assessment Team, 1.0 FTE, phased return 50% (1 June - 31 July): C9, C10:
  8 + 1 = **9** of 16 x 0.5 = **8**: **112.5%** red, protected and over the level.
- S5 social worker, Assessment Team: left on 29 June (on the list that day, not on D).
- S6 social worker, CIN and CP Team, 1.0 FTE: no children: 0 of 20, green.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from caseloads.cli import app
from caseloads.config import Settings
from caseloads.errors import NotFoundError
from caseloads.services.caseload import (
    CaseloadRequestError,
    SchemeError,
    allocation_options,
    caseload_history,
    caseload_picture,
    load_weights,
    show_weights,
)
from caseloads.services.database import Database, open_database
from caseloads.services.imports import import_path
from caseloads.services.setup import initialise

LA = "330"
D = date(2024, 6, 30)

SSD: dict[str, str] = {
    "ssd_person.csv": "pers_person_id,pers_sex,pers_dob\n"
    + "".join(f"C{i},F,2012-01-01\n" for i in range(1, 11)),
    "ssd_department.csv": "dept_team_id,dept_team_name\nT1,CIN and CP Team\nT2,Assessment Team\n",
    "ssd_professionals.csv": "prof_professional_id,prof_staff_id,prof_professional_job_title,"
    "prof_professional_department,prof_full_time_equivalency\n"
    "P1,S1,Social Worker,T1,1.0\n"
    "P2,S2,Social Worker,T1,0.25\n"
    "P3,S3,Team Manager,T1,1.0\n"
    "P4,S4,Senior Practitioner,T2,1.0\n"
    "P9,S9,Independent Reviewing Officer,T1,1.0\n",
    "ssd_family.csv": "fami_table_id,fami_family_id,fami_person_id\n"
    "X1,F1,C1\nX2,F1,C2\nX3,F1,C3\nX4,F2,C4\nX5,F2,C5\n",
    "ssd_cin_episodes.csv": "cine_referral_id,cine_person_id,cine_referral_date,cine_close_date\n"
    "R4,C4,2024-06-20,\n"
    "R5,C5,2024-06-28,\n"
    "R6,C6,2024-01-10,\n"
    "R10,C10,2024-06-01,\n",
    "ssd_cin_assessments.csv": "cina_assessment_id,cina_person_id,cina_referral_id,"
    "cina_assessment_start_date,cina_assessment_auth_date\n"
    "A4,C4,R4,2024-06-25,\n"
    "A6,C6,R6,2024-01-12,2024-02-01\n",
    "ssd_cin_plans.csv": "cinp_cin_plan_id,cinp_person_id,cinp_cin_plan_start_date,"
    "cinp_cin_plan_end_date\nP3,C3,2024-03-01,2024-06-30\n",
    "ssd_cp_plans.csv": "cppl_cp_plan_id,cppl_person_id,cppl_cp_plan_start_date,"
    "cppl_cp_plan_end_date\nCP1,C1,2024-05-01,\nCP2,C2,2023-06-01,\n",
    "ssd_cla_episodes.csv": "clae_cla_episode_id,clae_person_id,clae_cla_episode_start_date,"
    "clae_cla_episode_ceased_date\n"
    "E1,C1,2024-01-01,2024-06-30\n"
    "E2,C2,2023-01-01,\n"
    "E7,C7,2020-01-01,2024-03-01\n"
    "E9,C9,2024-06-01,\n",
    "ssd_care_leavers.csv": "clea_table_id,clea_person_id,clea_care_leaver_eligibility\n"
    "L7,C7,Former Relevant\n",
    "ssd_pre_proceedings.csv": "prep_table_id,prep_person_id,prep_care_pro_letter_date\n"
    "PP2,C2,2024-06-01\nPP9,C9,2024-06-15\n",
    "ssd_involvements.csv": "invo_involvements_id,invo_professional_id,invo_person_id,"
    "invo_professional_role_id,invo_involvement_start_date,invo_involvement_end_date\n"
    "V1,P1,C1,CW,2024-05-01,\n"
    "V2,P1,C2,CW,2023-01-01,2024-06-30\n"
    "V3,P1,C3,cw,2024-03-01,\n"
    "V3b,P1,C3,CW,2024-06-01,2024-07-31\n"
    "V6,P1,C6,Allocated Case Worker,2024-06-30,\n"
    "V4,P2,C4,CW,2024-06-20,\n"
    "V5,P2,C5,CW,2024-06-28,\n"
    "V7,P2,C7,CW,2024-03-01,\n"
    "V8,P3,C8,CW,2024-01-01,\n"
    "V9,P4,C9,CW,2024-06-01,\n"
    "V10,P4,C10,CW,2024-06-01,\n"
    "V11,P9,C9,IRO,2024-06-01,\n",
}

STAFF = (
    "worker_ref,swe_number,post_id,team,role,org_role,contract,fte,start_date,end_date,"
    "leaving_reason,qualified_date,asye_start\n"
    "S1,SW0000000001,,CIN and CP Team,social_worker,5,permanent,1.0,2020-01-01,,,2015-01-01,\n"
    "S2,SW0000000002,,CIN and CP Team,social_worker,5,permanent,0.25,2024-01-15,,,2023-12-01,"
    "2024-01-15\n"
    "S3,SW0000000003,,CIN and CP Team,team_manager,3,permanent,1.0,2019-01-01,,,2010-01-01,\n"
    "S4,SW0000000004,,Assessment Team,senior_practitioner,4,permanent,1.0,2018-01-01,,,"
    "2012-01-01,\n"
    "S5,SW0000000005,,Assessment Team,social_worker,5,permanent,1.0,2023-01-01,2024-06-29,1,"
    "2016-01-01,\n"
    "S6,SW0000000006,,CIN and CP Team,social_worker,5,permanent,1.0,2022-01-01,,,2014-01-01,\n"
)

REDUCTIONS = (
    "worker_ref,reason,percent,start_date,end_date\nS4,Phased Return,50,2024-06-01,2024-07-31\n"
)

SCHEME = """\
name: test scheme
effective_from: 2024-04-01
points: {referral: 1, assessment: 2, cin: 3, cp: 5, cla: 5, care_leaver: 2, other: 1}
uplifts: {court_proceedings: 3}
sibling_factor: 0.5
capacity_points: {social_worker: 20, senior_practitioner: 16, team_manager: 0}
reductions: {asye: {percent: 10, months: 12}}
rag: {green: 85, amber: 100}
standards: {cin_cp: 3, assessment: 4}
team_status: {under_pressure: 5, can_release: 10}
"""


@pytest.fixture
def db(settings: Settings, tmp_path: Path) -> Iterator[Database]:
    initialise(settings)
    database = open_database(settings)
    folder = tmp_path / "ssd"
    folder.mkdir()
    for name, text in SSD.items():
        (folder / name).write_text(text, encoding="utf-8")
    import_path(database, "ssd", folder, la_code=LA)
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    import_path(database, "staff", tmp_path / "staff.csv", la_code=LA)
    (tmp_path / "reductions.csv").write_text(REDUCTIONS, encoding="utf-8")
    import_path(database, "reductions", tmp_path / "reductions.csv", la_code=LA)
    (tmp_path / "scheme.yaml").write_text(SCHEME, encoding="utf-8")
    load_weights(database, tmp_path / "scheme.yaml", la_code=LA)
    try:
        yield database
    finally:
        database.dispose()


def _key(row: dict[str, Any]) -> str:
    """The fixture's workers are told apart by team, role and FTE (their ids are hashes)."""
    names = {
        ("CIN and CP Team", "social_worker", 1.0): "S1",
        ("CIN and CP Team", "social_worker", 0.25): "S2",
        ("CIN and CP Team", "team_manager", 1.0): "S3",
        ("Assessment Team", "senior_practitioner", 1.0): "S4",
        ("Assessment Team", "social_worker", 1.0): "S5",
    }
    key = (row["team"], row["role"], row["fte"])
    if key in names and not (key[0] == "CIN and CP Team" and row["children"] == 0):
        return names[key]
    return "S6" if key == ("CIN and CP Team", "social_worker", 1.0) else "?"


def _workers(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {_key(r): r for r in rows}


def test_workers_on_the_date_worked_by_hand(db: Database) -> None:
    rows = _workers(caseload_picture(db, as_of=D, by="worker"))
    assert set(rows) == {"S1", "S2", "S3", "S4", "S6"}  # S5 left the day before; no IRO
    s1, s2, s3, s4, s6 = (rows[k] for k in ("S1", "S2", "S3", "S4", "S6"))
    assert (s1["children"], s1["families"], s1["weighted_points"]) == (4, 2, 15.0)
    assert (s1["capacity_points"], s1["capacity_pct"], s1["rag"]) == (20.0, 75.0, "green")
    assert (s2["children"], s2["families"], s2["weighted_points"]) == (3, 2, 4.5)
    assert (s2["capacity_points"], s2["capacity_pct"], s2["rag"]) == (4.5, 100.0, "amber")
    assert (s2["reduction_pct"], s2["protected_over_level"]) == (10.0, False)
    assert (s3["children"], s3["capacity_pct"], s3["rag"], s3["manager_holds_cases"]) == (
        1,
        None,
        "red",
        True,
    )
    assert (s4["weighted_points"], s4["capacity_points"], s4["capacity_pct"]) == (9.0, 8.0, 112.5)
    assert (s4["rag"], s4["reduction_pct"], s4["protected_over_level"]) == ("red", 50.0, True)
    assert (s6["children"], s6["weighted_points"], s6["capacity_pct"], s6["rag"]) == (
        0,
        0.0,
        0.0,
        "green",
    )
    assert not any(r["manager_holds_cases"] for k, r in rows.items() if k != "S3")


def test_teams_on_the_date_worked_by_hand(db: Database) -> None:
    teams = {r["team"]: r for r in caseload_picture(db, as_of=D, by="team")}
    cin = teams["CIN and CP Team"]
    # S1, S2, S3 (holds a child), S6: 4 workers, 1 + 0.25 + 1 + 1 = 3.25 FTE; children 4+3+1+0 = 8;
    # 8 / 3.25 = 2.46, 2.5 at 1 place; points 15 + 4.5 + 1 + 0 = 20.5; required 20.5 / 3 (cin) / 3 = 2.2778;
    # available 1 + 0.25 x 0.9 + 1 = 2.225 (the manager has no capacity): between 2.225 x 0.9 =
    # 2.0025 and 2.225 x 1.05 = 2.336: right-sized.
    assert (cin["team_type"], cin["workers"], cin["fte"], cin["children"]) == ("cin_cp", 4, 3.25, 8)
    assert (cin["caseload_per_fte"], cin["weighted_points"], cin["standard"]) == (2.5, 20.5, 3.0)
    # (2.225 is 2.22499... in binary floating point, so it shows as 2.22 at 2 places.)
    assert (cin["required_fte"], cin["available_fte"], cin["status"]) == (2.28, 2.22, "right_sized")
    ass = teams["Assessment Team"]
    # S4 alone: 2 children, 9 points; required 9 / 2 (assessment) / 4 = 1.125 against 1 x 0.5
    # available: under pressure.
    assert (ass["workers"], ass["fte"], ass["children"], ass["caseload_per_fte"]) == (
        1,
        1.0,
        2,
        2.0,
    )
    assert (ass["required_fte"], ass["available_fte"], ass["status"]) == (
        1.12,
        0.5,
        "under_pressure",
    )


def test_history_boundary_days_in_one_pass(db: Database) -> None:
    rows = caseload_history(
        db, start=date(2024, 6, 29), end=date(2024, 7, 1), freq="day", by="worker"
    )
    s1 = {r["as_of"]: r for r in rows if _key(r) == "S1"}
    # 29 June: C1 still looked after (ceased 30 June, exclusive), C2 (8), C3 (3); C6 not yet:
    # F1 = 8 + 0.5 x (5 + 3) = 12. 30 June: + C6 (3) and C1 now cp (5): 15. 1 July: C2's
    # involvement ended on 30 June; C3's CIN plan ended on 30 June (other, 1): F1 = 5 + 0.5 x 1
    # = 5.5, C6 3: 8.5.
    assert [(s1[d]["children"], s1[d]["weighted_points"]) for d in sorted(s1)] == [
        (3, 12.0),
        (4, 15.0),
        (3, 8.5),
    ]
    s5 = [r for r in rows if _key(r) == "S5"]
    assert [r["as_of"] for r in s5] == ["2024-06-29"]  # on the staff list to 29 June inclusive
    teams = {
        (r["as_of"], r["team"]): r["status"]
        for r in caseload_history(db, start=D, end=date(2024, 7, 1), freq="day", by="team")
    }
    # 1 July, CIN and CP Team: 8.5 + 4.5 + 1 + 0 = 14 points; 14 / 3 / 3 = 1.56 < 2.0025.
    assert teams[("2024-07-01", "CIN and CP Team")] == "can_release"
    assert teams[("2024-06-30", "CIN and CP Team")] == "right_sized"


def test_scheme_in_force_on_each_step(db: Database) -> None:
    rows = caseload_history(
        db, start=date(2024, 3, 31), end=date(2024, 4, 1), freq="day", by="worker"
    )
    s6 = {
        r["as_of"]: r["capacity_points"]
        for r in rows
        if r["role"] == "social_worker" and r["children"] == 0
    }
    # 31 March: the shipped default (50 points per FTE for a social worker); 1 April: the
    # test scheme's 20.
    assert s6 == {"2024-03-31": 50.0, "2024-04-01": 20.0}
    shown = show_weights(db, as_of=date(2024, 3, 31))
    assert shown["in_force"]["name"] == "caseloads default"
    assert [s["name"] for s in shown["schemes"]] == ["caseloads default", "test scheme"]
    assert show_weights(db, as_of=D)["in_force"]["capacity_points"]["social_worker"] == 20.0


def test_team_filter_and_unknown_team(db: Database) -> None:
    rows = caseload_picture(db, as_of=D, team="assessment team", by="worker")
    assert [_key(r) for r in rows] == ["S4"]
    with pytest.raises(NotFoundError, match="no team 'Nowhere'"):
        caseload_picture(db, as_of=D, team="Nowhere")
    with pytest.raises(CaseloadRequestError, match="--freq"):
        caseload_history(db, start=D, end=D, freq="hourly")


def test_allocation_exclusions_worked_by_hand(db: Database) -> None:
    one = allocation_options(db, team="CIN and CP Team", status="cp", children=1, as_of=D)
    # A CP child is 5 points. S6: 5 of 20, 15 left; S1: 20 of 20 (100%, amber: not red), 0 left.
    # S2: 9.5 of 4.5 = 211.1%: red and over the ASYE-protected level. S3: no capacity.
    ranked = [(r["rank"], _alloc_key(r), r["capacity_left_after"]) for r in one if r["eligible"]]
    assert ranked == [(1, "S6", 15.0), (2, "S1", 0.0)]
    excluded = {_alloc_key(r): r["excluded_because"] for r in one if not r["eligible"]}
    assert excluded["S3"] == "no caseload capacity in role team_manager"
    assert excluded["S2"] == (
        "would go red: 211.1% of capacity after the case (red above 100.0%); protected (asye "
        "10.0%) and would be over the protected level: 9.5 of 4.5 points"
    )
    two = allocation_options(db, team="CIN and CP Team", status="cp", children=2, as_of=D)
    # Two siblings: 5 + 0.5 x 5 = 7.5. S1: 22.5 of 20 = 112.5%: red.
    assert [(_alloc_key(r), r["points_after"]) for r in two if r["eligible"]] == [("S6", 7.5)]
    s1 = next(r for r in two if _alloc_key(r) == "S1")
    assert s1["excluded_because"].startswith("would go red: 112.5%")
    with pytest.raises(CaseloadRequestError, match="--status"):
        allocation_options(db, team="CIN and CP Team", status="nonsense", as_of=D)


def _alloc_key(row: dict[str, Any]) -> str:
    if row["role"] == "team_manager":
        return "S3"
    if row["fte"] == 0.25:
        return "S2"
    return "S1" if row["children"] else "S6"


def test_scheme_validation_names_file_key_and_value(db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\neffective_from: 2024-01-01\nrag: {green: 90, amber: 80}\n")
    with pytest.raises(SchemeError, match=r"bad.yaml: rag.amber: 80.0: must be at least"):
        load_weights(db, bad, la_code=LA)
    bad.write_text("name: x\neffective_from: 2024-01-01\npoints: {cp: lots}\n")
    with pytest.raises(SchemeError, match=r"bad.yaml: points.cp: 'lots': must be a number"):
        load_weights(db, bad, la_code=LA)
    bad.write_text("name: x\neffective_from: 2024-01-01\nweights: {}\n")
    with pytest.raises(SchemeError, match=r"bad.yaml: weights: \{\}: unknown key"):
        load_weights(db, bad, la_code=LA)
    bad.write_text("name: x\n")
    with pytest.raises(SchemeError, match=r"effective_from: None: is required"):
        load_weights(db, bad, la_code=LA)


def test_cli_formats(db: Database, settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--database", settings.database_url, "--key-file", str(settings.resolved_key_file())]
    result = runner.invoke(
        app, [*base, "caseload", "--as-of", "2024-06-30", "--by", "team", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert {r["team"]: r["status"] for r in json.loads(result.stdout)} == {
        "Assessment Team": "under_pressure",
        "CIN and CP Team": "right_sized",
    }
    result = runner.invoke(app, [*base, "caseload", "--as-of", "30/06/2024"])
    assert result.exit_code == 1 and "is not a date" in result.output
    result = runner.invoke(
        app,
        [
            *base,
            "allocate",
            "--team",
            "T1",
            "--status",
            "cp",
            "--as-of",
            "2024-06-30",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("la_code,as_of,rank,worker_id")
    scheme = tmp_path / "again.yaml"
    scheme.write_text(SCHEME)
    result = runner.invoke(app, [*base, "weights", "load", str(scheme), "--la", LA])
    assert result.exit_code == 0 and "replaced" in result.output
    result = runner.invoke(app, [*base, "weights", "show", "--format", "json"])
    assert json.loads(result.stdout)["schemes"][-1]["name"] == "test scheme"
