"""``caseloads demand`` and ``caseloads stability`` end to end (services/demand.py,
services/stability.py, commands/demand.py) on SQLite and PostgreSQL, through the ordinary SSD
import.

The anchor is a small SSD extract written here (authority 201, City of London, whose ONS children
aged 0-17 are 918 at mid-2023 and 847 at mid-2024: ``ons_mid-year_population_estimates_2012_to_2024
.csv`` lines 300 and 135) and worked by hand in the comments; the synthetic council is checked
against England's published rates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from caseloads.cli import app
from caseloads.config import Settings
from caseloads.errors import NotFoundError
from caseloads.services.caseload import load_weights
from caseloads.services.database import Database, open_database
from caseloads.services.demand import DemandRequestError, demand_by_period
from caseloads.services.demo import run_demo
from caseloads.services.imports import import_path
from caseloads.services.setup import initialise
from caseloads.services.stability import (
    StabilityRequestError,
    social_worker_stability,
    workers_by_child,
)
from caseloads.synthetic.profile import SMALL

SSD: dict[str, str] = {
    "ssd_person.csv": "pers_person_id,pers_sex,pers_dob\n"
    + "".join(f"C{i},F,2015-01-0{i}\n" for i in range(1, 7)),
    "ssd_department.csv": "dept_team_id,dept_team_name\nT1,Front Door\nT2,Assessment\n",
    "ssd_contacts.csv": "cont_contact_id,cont_person_id,cont_contact_date\n"
    "K1,C1,2024-03-01\n"  # first day of March 2024
    "K2,C2,2024-03-31\n"  # last day of March 2024
    "K3,C3,2024-03-15\n"
    "K4,C4,2024-03-20\n"
    "K5,C5,2024-04-01\n"  # first day of April 2024
    "K6,C1,2024-02-29\n"  # February: outside the range
    "K7,C6,2023-03-01\n",  # March 2023, the earliest flow: where the data starts
    "ssd_cin_episodes.csv": "cine_referral_id,cine_person_id,cine_referral_date,cine_close_date,"
    "cine_referral_team\n"
    "R1,C1,2023-03-31,2023-06-30,T1\n"
    "R2,C1,2024-03-30,,T1\n"  # R1 is within the 12 months to 30 March 2024: a re-referral
    "R3,C2,2023-04-01,2023-05-01,T2\n"
    "R4,C2,2024-04-01,,T2\n"  # R3 is exactly a year before: not within 12 months
    "R5,C3,2024-03-15,,T1\n",
    "ssd_cin_assessments.csv": "cina_assessment_id,cina_person_id,cina_assessment_start_date,"
    "cina_assessment_auth_date,cina_assessment_team\nA1,C3,2024-03-16,2024-04-02,T1\n",
    "ssd_s47_enquiry.csv": "s47e_s47_enquiry_id,s47e_person_id,s47e_s47_start_date\n"
    "S1,C3,2024-03-31\n",
    "ssd_initial_cp_conference.csv": "icpc_icpc_id,icpc_person_id,icpc_icpc_date\n"
    "I1,C3,2024-04-15\n",
    "ssd_cin_plans.csv": "cinp_cin_plan_id,cinp_person_id,cinp_cin_plan_start_date,"
    "cinp_cin_plan_end_date,cinp_cin_plan_team\n"
    "P1,C1,2024-03-01,2024-03-31,T1\n"  # starts and ends in March: not open at its end
    "P2,C2,2023-06-01,,T2\n",
    "ssd_cp_plans.csv": "cppl_cp_plan_id,cppl_person_id,cppl_cp_plan_start_date,"
    "cppl_cp_plan_end_date\n"
    "CP0,C4,2023-01-01,2024-04-30\n"  # ends on April's last day
    "CP1,C3,2024-04-15,\n",
    "ssd_cla_episodes.csv": "clae_cla_episode_id,clae_person_id,clae_cla_episode_start_date,"
    "clae_cla_episode_ceased_date\n"
    "E1,C5,2024-03-10,2024-04-05\n"  # a change of placement: E2 starts on E1's ceased date,
    "E2,C5,2024-04-05,\n"  # one period of care
    "E3,C6,2022-01-01,2024-03-31\n"  # ceased on March's last day
    "E4,C4,2024-12-01,\n",
    "ssd_involvements.csv": "invo_involvements_id,invo_professional_id,invo_person_id,"
    "invo_professional_role_id,invo_involvement_start_date,invo_involvement_end_date\n"
    # C1: three workers in the 12 months to 31 March 2025 (W1 from the window's first day).
    "V1,W1,C1,CW,2024-04-01,2024-06-30\n"
    "V2,W2,C1,allocated case worker,2024-07-01,2024-12-31\n"
    "V3,W3,C1,CW,2025-01-01,\n"
    # C2: W1 held twice counts once; the IRO is not an allocated worker.
    "V4,W1,C2,CW,2024-01-01,2024-05-31\n"
    "V5,W1,C2,CW,2024-09-01,\n"
    "V6,W4,C2,IRO,2024-06-01,\n"
    # C3: the window's edges. W5 ends the day before it; W8 ends on its first day; W6 starts
    # on its last day; W7 starts the day after.
    "V7,W5,C3,CW,2023-01-01,2024-03-31\n"
    "V8,W8,C3,CW,2024-03-31,2024-04-01\n"
    "V9,W6,C3,CW,2025-03-31,\n"
    "V10,W7,C3,CW,2025-04-01,\n"
    # C4: three workers, the role in three spellings.
    "V11,W1,C4,CW,2024-05-01,2024-05-31\n"
    "V12,W2,C4,Allocated Case Worker,2024-06-01,2024-06-30\n"
    "V13,W3,C4,cw,2024-07-01,\n",
}


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    initialise(settings)
    database = open_database(settings)
    try:
        yield database
    finally:
        database.dispose()


def load_ssd(db: Database, folder: Path, la: str = "201") -> None:
    folder.mkdir()
    for name, text in SSD.items():
        (folder / name).write_text(text, encoding="utf-8")
    import_path(db, "ssd", folder, la_code=la)


def by_period(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["period_start"]: r for r in rows}


def test_demand_worked_by_hand(db: Database, tmp_path: Path) -> None:
    load_ssd(db, tmp_path / "ssd")
    rows = demand_by_period(db, date_from=date(2024, 3, 5), date_to=date(2024, 4, 20))
    # Whole months from the one holding --from to the one holding --to.
    assert [(r["period_start"], r["period_end"]) for r in rows] == [
        ("2024-03-01", "2024-03-31"),
        ("2024-04-01", "2024-04-30"),
    ]
    march, april = rows
    # March 2024: contacts K1 (1st), K2 (31st), K3, K4 = 4; referrals R2, R5 = 2, of which R2
    # is a re-referral (R1 on 31 March 2023 is within the 12 months to 30 March 2024).
    # Conversion 2 / 4 = 50.0%; re-referral rate 1 / 2 = 50.0%.
    # April 2024: K5 = 1 contact; R4 = 1 referral, not a re-referral (R3 is on 1 April 2023,
    # exactly a year before); conversion 1 / 1 = 100.0%.
    assert {k: march[k] for k in ("contacts", "referrals", "re_referrals")} == {
        "contacts": 4,
        "referrals": 2,
        "re_referrals": 1,
    }
    assert (march["conversion_rate"], march["re_referral_rate"]) == (50.0, 50.0)
    assert (april["contacts"], april["referrals"], april["re_referrals"]) == (1, 1, 0)
    assert (april["conversion_rate"], april["re_referral_rate"]) == (100.0, 0.0)
    # A1 starts in March (16th) and is completed in April (2nd); S1 on 31 March; I1 in April.
    assert (march["assessments_started"], march["assessments_completed"]) == (1, 0)
    assert (april["assessments_started"], april["assessments_completed"]) == (0, 1)
    assert (march["s47_enquiries"], april["s47_enquiries"]) == (1, 0)
    assert (march["icpcs"], april["icpcs"]) == (0, 1)
    # CIN plans: P1 starts and ends in March (ends on the 31st, so not open at its end); P2 open
    # since June 2023.
    stocks = ("cin_plans", "cp_plans", "cla")
    got = {s: [(r[f"{s}_started"], r[f"{s}_ended"], r[f"{s}_open"]) for r in rows] for s in stocks}
    assert got["cin_plans"] == [(1, 1, 1), (0, 0, 1)]
    # CP plans: CP0 open through March and ends on 30 April, April's last day; CP1 starts in April.
    assert got["cp_plans"] == [(0, 0, 1), (1, 1, 1)]
    # CLA: C5's E1 and E2 are one period of care from 10 March; C6's ceased on 31 March.
    assert got["cla"] == [(1, 1, 1), (0, 0, 1)]
    # Populations: March 2024 is in the reporting year 2023-24, mid-2023 estimate 918; April 2024
    # in 2024-25, mid-2024 847. Contacts 4 / 918 x 10,000 = 43.57 -> 43.6; referrals 2 / 918 x
    # 10,000 = 21.79 -> 21.8; April: 1 / 847 x 10,000 = 11.81 -> 11.8.
    assert (march["population_year"], march["population"]) == (2023, 918)
    assert (april["population_year"], april["population"]) == (2024, 847)
    assert (march["contacts_per_10k"], march["referrals_per_10k"]) == (43.6, 21.8)
    assert (april["contacts_per_10k"], april["cla_open_per_10k"]) == (11.8, 11.8)
    # A year before: March 2023 had K7 and R1 (1 each), C6 looked after, no CIN plan open;
    # April 2023 had R3 and no contact. The data starts on 1 March 2023 (K7), so both changes
    # are covered: March contacts 4 - 1 = 3, referrals 2 - 1 = 1, CIN open 1 - 0 = 1, CLA open
    # 1 - 1 = 0; conversion 50.0 - 100.0 = -50.0 points. April: contacts 1 - 0, referrals 1 - 1.
    assert {
        k: march[f"{k}_change"]
        for k in ("contacts", "referrals", "cin_plans_open", "cla_open", "conversion_rate")
    } == {
        "contacts": 3,
        "referrals": 1,
        "cin_plans_open": 1,
        "cla_open": 0,
        "conversion_rate": -50.0,
    }
    assert (april["contacts_change"], april["referrals_change"]) == (1, 0)
    # April 2023 had no contacts, so no conversion rate to compare with.
    assert april["conversion_rate_change"] is None
    # The loaded data's latest date is E4's start (1 December 2024): both months are covered.
    assert march["data_complete"] and april["data_complete"]


def test_demand_by_week_and_team(db: Database, tmp_path: Path) -> None:
    load_ssd(db, tmp_path / "ssd")
    weeks = demand_by_period(
        db, date_from=date(2024, 3, 25), date_to=date(2024, 4, 7), freq="week", population=1000
    )
    # ISO weeks: Monday 25 March to Sunday 31 March, Monday 1 April to Sunday 7 April.
    assert [(r["period_start"], r["period_end"]) for r in weeks] == [
        ("2024-03-25", "2024-03-31"),
        ("2024-04-01", "2024-04-07"),
    ]
    # Week 1: K2 (Sunday 31st); R2 (30th); S1 (31st). Week 2: K5 (Monday 1st), R4 (1st), A1
    # completed (2nd). With --population 1000: 1 / 1000 x 10,000 = 10.0 per 10,000.
    assert [(r["contacts"], r["referrals"], r["s47_enquiries"]) for r in weeks] == [
        (1, 1, 1),
        (1, 1, 0),
    ]
    assert weeks[1]["assessments_completed"] == 1
    assert [r["contacts_per_10k"] for r in weeks] == [10.0, 10.0]
    assert {r["population"] for r in weeks} == {1000} and {r["population_year"] for r in weeks} == {
        None
    }
    # The week 52 weeks before 25 March 2024 runs from Monday 27 March to Sunday 2 April 2023:
    # R1 (31 March) and R3 (1 April), 2 referrals; so 1 - 2 = -1.
    assert weeks[0]["referrals_change"] == -1

    teams = demand_by_period(db, date_from=date(2024, 3, 1), date_to=date(2024, 4, 30), by="team")
    per_team = {(r["team"], r["period_start"]): r for r in teams}
    # Referrals name their team: March R2 and R5 (Front Door), April R4 (Assessment). Contacts,
    # CP plans and CLA episodes carry no team: they count under no team.
    assert per_team[("Front Door", "2024-03-01")]["referrals"] == 2
    assert per_team[("Assessment", "2024-03-01")]["referrals"] == 0
    assert per_team[("Assessment", "2024-04-01")]["referrals"] == 1
    assert per_team[(None, "2024-03-01")]["contacts"] == 4
    assert per_team[(None, "2024-04-01")]["cla_open"] == 1
    # CIN plans: P1 (Front Door) and P2 (Assessment).
    assert per_team[("Front Door", "2024-03-01")]["cin_plans_started"] == 1
    assert per_team[("Assessment", "2024-03-01")]["cin_plans_open"] == 1
    # The teams add up to the authority.
    whole = by_period(demand_by_period(db, date_from=date(2024, 3, 1), date_to=date(2024, 4, 30)))
    for start, row in whole.items():
        parts = [r for r in teams if r["period_start"] == start]
        for measure in ("contacts", "referrals", "cin_plans_open", "cla_open", "icpcs"):
            assert sum(p[measure] for p in parts) == row[measure]


def test_demand_refuses_what_it_cannot_answer(db: Database, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no authority has case records loaded"):
        demand_by_period(db, date_from=date(2024, 1, 1), date_to=date(2024, 2, 1))
    load_ssd(db, tmp_path / "ssd")
    with pytest.raises(DemandRequestError, match="--from 2024-03-01 is after --to 2024-02-01"):
        demand_by_period(db, date_from=date(2024, 3, 1), date_to=date(2024, 2, 1))
    with pytest.raises(DemandRequestError, match="unknown frequency"):
        demand_by_period(db, date_from=date(2024, 1, 1), date_to=date(2024, 2, 1), freq="day")
    with pytest.raises(NotFoundError, match="authority 999 has no case records"):
        demand_by_period(db, date_from=date(2024, 1, 1), date_to=date(2024, 2, 1), la_code="999")


def test_stability_worked_by_hand(db: Database, tmp_path: Path) -> None:
    load_ssd(db, tmp_path / "ssd")
    (row,) = social_worker_stability(db, as_of=date(2025, 3, 31))
    # Window 1 April 2024 - 31 March 2025. C1: W1, W2, W3 = 3. C2: W1 (twice) = 1, the IRO not
    # counted. C3: W8 (ends on 1 April 2024) and W6 (starts 31 March 2025) = 2; W5 ended 31
    # March 2024, W7 starts 1 April 2025. C4: W1, W2, W3 (CW, Allocated Case Worker, cw) = 3.
    # 4 children, 2 with 3 or more: 50.0%.
    assert row == {
        "la_code": "201",
        "as_of": "2025-03-31",
        "period_start": "2024-04-01",
        "cohort": "allocated",
        "children": 4,
        "children_with_3_or_more": 2,
        "share_with_3_or_more": 50.0,
        "children_without_worker": 0,
    }
    # The DfE's cohort: looked after at the end of 31 March 2025: C4 (E4) and C5 (E1-E2), C5 with
    # no worker recorded: 1 of 2 with 3 or more.
    (cla,) = social_worker_stability(db, as_of=date(2025, 3, 31), cohort="cla")
    assert (cla["children"], cla["children_with_3_or_more"], cla["children_without_worker"]) == (
        2,
        1,
        1,
    )
    assert cla["share_with_3_or_more"] == 50.0
    # A day later the window is 2 April 2024 - 1 April 2025: C3 loses W8 (ended 1 April 2024)
    # and gains W7 (from 1 April 2025), still 2; C1's W1 (to 30 June 2024) still overlaps.
    per_child = workers_by_child(db, as_of=date(2025, 4, 1))
    assert sorted(r["workers"] for r in per_child) == [1, 2, 3, 3]
    # Counting only the IRO role: C2 alone, with one worker.
    (iro,) = social_worker_stability(db, as_of=date(2025, 3, 31), roles=["iro"])
    assert (iro["children"], iro["children_with_3_or_more"], iro["share_with_3_or_more"]) == (
        1,
        0,
        0.0,
    )
    # The setting: a weighting scheme in force from 1 January 2025 whose allocated roles are the
    # IRO's (caseloads weights load) is followed on 31 March 2025, not on 31 December 2024.
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text(
        "name: iro-only\neffective_from: 2025-01-01\nallocated_roles: [iro]\n", encoding="utf-8"
    )
    load_weights(db, scheme, la_code="201")
    (iro,) = social_worker_stability(db, as_of=date(2025, 3, 31))
    assert (iro["children"], iro["children_with_3_or_more"]) == (1, 0)
    (before,) = social_worker_stability(db, as_of=date(2024, 12, 31))
    # 12 months to 31 December 2024: C1 W1, W2 (W3 from 2025); C2 W1; C3 W5, W8; C4 W1, W2, W3.
    assert (before["children"], before["children_with_3_or_more"]) == (4, 1)
    with pytest.raises(StabilityRequestError, match="unknown cohort"):
        social_worker_stability(db, as_of=date(2025, 3, 31), cohort="cin")


def cli(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [
            "--database",
            settings.database_url,
            "--key-file",
            str(settings.resolved_key_file()),
            *args,
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_commands(settings: Settings, tmp_path: Path) -> None:
    initialise(settings)
    code, out = cli(settings, "demand", "--from", "2024-03-01", "--to", "2024-04-30")
    assert code == 1 and "no authority has case records loaded" in out
    database = open_database(settings)
    try:
        load_ssd(database, tmp_path / "ssd")
    finally:
        database.dispose()
    code, out = cli(
        settings, "demand", "--from", "2024-03-01", "--to", "2024-04-30", "--format", "json"
    )
    assert code == 0
    rows = json.loads(out)
    assert [(r["period_start"], r["contacts"], r["referrals"]) for r in rows] == [
        ("2024-03-01", 4, 2),  # hand-worked in test_demand_worked_by_hand
        ("2024-04-01", 1, 1),
    ]
    code, out = cli(settings, "demand", "--from", "2024-03-01", "--to", "2024-04-30")
    assert code == 0 and "conversion_rate" in out and "2024-04-01" in out
    code, out = cli(
        settings, "demand", "--from", "2024-03-01", "--to", "2024-04-30", "--format", "csv"
    )
    assert code == 0 and out.splitlines()[0].startswith("la_code,period_start,period_end")
    code, out = cli(settings, "demand", "--from", "2024-05-01", "--to", "2024-04-30")
    assert code == 1 and "is after --to" in out
    code, out = cli(settings, "demand", "--from", "2024-13-01", "--to", "2024-04-30")
    assert code == 1 and "is not a date" in out
    code, out = cli(settings, "stability", "--as-of", "2025-03-31", "--format", "json")
    assert code == 0
    (row,) = json.loads(out)
    assert (row["children"], row["children_with_3_or_more"], row["share_with_3_or_more"]) == (
        4,
        2,
        50.0,
    )
    code, out = cli(settings, "stability", "--as-of", "2025-03-31", "--cohort", "cla")
    # The table: C4 and C5 looked after, 1 of 2 with 3 or more (test_stability_worked_by_hand).
    assert code == 0 and "cla" in out and "50.0" in out
    code, out = cli(settings, "stability", "--as-of", "2025-03-31", "--by-child", "--format", "csv")
    assert code == 0 and sorted(int(line.split(",")[-1]) for line in out.splitlines()[1:]) == [
        1,
        2,
        3,
        3,
    ]


def test_synthetic_council_against_england(settings: Settings, tmp_path: Path) -> None:
    """The small synthetic council (SMALL.children_0_17 = 6,000 children, sized as an England
    average authority, synthetic/profile.py) over the DfE year to 31 March 2025, against England's
    published 2024-25 figures over the ONS mid-2024 estimate of 12,183,016 children (ons file
    line 2):

    - referrals: 632,830 (c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv line 2)
      = 519.4 per 10,000; re-referrals 22.6% (same row);
    - looked after at 31 March 2025: 81,770 = 67 per 10,000 (cla_number_and_rate_per_10k_children
      .csv line 3);
    - on a CP plan at 31 March 2025: 49,420 = 40.6 per 10,000 (d5_cpps_at31march_by_duration_2013
      _to_2025.csv line 2).

    A generated council of 6,000 children is small and random, so each is checked within a band
    (a third either way for the rates, 6 points for the re-referral share), not exactly."""
    run_demo(settings, out_dir=tmp_path / "demo", seed=7, size="small", today=date(2025, 3, 31))
    database = open_database(settings)
    try:
        rows = demand_by_period(
            database,
            date_from=date(2024, 4, 1),
            date_to=date(2025, 3, 31),
            population=SMALL.children_0_17,
        )
    finally:
        database.dispose()
    assert len(rows) == 12 and all(r["data_complete"] for r in rows)
    referrals = sum(r["referrals"] for r in rows)
    re_referrals = sum(r["re_referrals"] for r in rows)
    referral_rate = 10_000 * referrals / SMALL.children_0_17
    assert 519.4 / 1.33 < referral_rate < 519.4 * 1.33
    assert abs(100 * re_referrals / referrals - 22.6) < 6
    march = rows[-1]
    assert 67 / 1.33 < march["cla_open_per_10k"] < 67 * 1.33
    assert 40.6 / 1.33 < march["cp_plans_open_per_10k"] < 40.6 * 1.33
    # The open numbers follow from the flows every month.
    for before, after in pairwise(rows):
        for stock in ("cin_plans", "cp_plans", "cla"):
            assert after[f"{stock}_open"] == (
                before[f"{stock}_open"] + after[f"{stock}_started"] - after[f"{stock}_ended"]
            )
