"""The generated council looks like an English authority: demand per 10,000 children near
England's, a workforce with England-like turnover, agency use, vacancies, absence and caseloads,
and census returns that agree with the HR and case-management extracts.

England's figures are read from trimmed copies of the DfE files (``england/``: the header and the
National rows of the files in ``shared/data``); each comparison names the file and row.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from tests.synthetic.synth_support import TODAY, Generated, england_row

from caseloads.domain.teams import infer_team_type

#: Relative tolerance for a per-10,000 rate against England's.
TOLERANCE = 0.30


def _d(col: str) -> pl.Expr:
    return pl.col(col).str.to_date("%Y-%m-%d")


def _england_population() -> float:
    # cla_number_and_rate_per_10k_children.csv, National 2025, "Children looked after on 31
    # March each year": population_estimate 12,183,016 (ONS mid-2024, aged 0-17).
    row = england_row(
        "cla_number_and_rate_per_10k_children.csv",
        time_period="2025",
        population_type="Children looked after on 31 March each year",
    )
    return float(row["population_estimate"])


def _per_10k(count: float, population: float) -> float:
    return 10_000 * count / population


ENGLAND_POP = _england_population()
ENGLAND: dict[str, float] = {
    # c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv, National 2025: referral_count
    "referrals": _per_10k(
        float(
            england_row(
                "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", time_period="2025"
            )["referral_count"]
        ),
        ENGLAND_POP,
    ),
    # b1_children_in_need_2013_to_2025.csv, National 2025: At31_episodes
    "cin_at31": _per_10k(
        float(
            england_row("b1_children_in_need_2013_to_2025.csv", time_period="2025")["At31_episodes"]
        ),
        ENGLAND_POP,
    ),
    # d5_cpps_at31march_by_duration_2013_to_2025.csv, National 2025: CPP_At31
    "cp_at31": _per_10k(
        float(
            england_row("d5_cpps_at31march_by_duration_2013_to_2025.csv", time_period="2025")[
                "CPP_At31"
            ]
        ),
        ENGLAND_POP,
    ),
    # cla_number_and_rate_per_10k_children.csv, National 2025, looked after on 31 March
    "cla_at31": _per_10k(
        float(
            england_row(
                "cla_number_and_rate_per_10k_children.csv",
                time_period="2025",
                population_type="Children looked after on 31 March each year",
            )["children_count"]
        ),
        ENGLAND_POP,
    ),
    # lait_csc_indicators_long.csv, Section_47, England 2025 (already per 10,000)
    "s47": float(
        england_row("lait_csc_indicators_long.csv", measure_short="Section_47", year="2025")[
            "value"
        ]
    ),
    # lait_csc_indicators_long.csv, ISCP_Conf, England 2025 (per 10,000)
    "icpc": float(
        england_row("lait_csc_indicators_long.csv", measure_short="ISCP_Conf", year="2025")["value"]
    ),
    # d3_cpps_subsequent_plan_2013_to_2025.csv, National 2025: CPP_start
    "cp_starts": _per_10k(
        float(
            england_row("d3_cpps_subsequent_plan_2013_to_2025.csv", time_period="2025")["CPP_start"]
        ),
        ENGLAND_POP,
    ),
    # cla_number_and_rate_per_10k_children.csv, National 2025, starting to be looked after
    "cla_starts": _per_10k(
        float(
            england_row(
                "cla_number_and_rate_per_10k_children.csv",
                time_period="2025",
                population_type="Children starting to be looked after each year",
            )["children_count"]
        ),
        ENGLAND_POP,
    ),
}
# c1 file, National 2025: rereferral_percent (re-referrals within 12 months, % of referrals)
ENGLAND_REREFERRAL = float(
    england_row(
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", time_period="2025"
    )["rereferral_percent"]
)


def _reporting_years(g: Generated) -> list[int]:
    """Years to 31 March wholly inside the history."""
    start = date.fromisoformat(g.manifest["history_start"])
    return [
        y
        for y in range(start.year, TODAY.year + 1)
        if date(y - 1, 4, 1) >= start and date(y, 3, 31) <= TODAY
    ]


def _census_days(g: Generated) -> list[date]:
    return [date(y, 9, 30) for y in g.manifest["census_years"]]


def _open_on(frame: pl.DataFrame, start: str, end: str, on: date) -> pl.DataFrame:
    """Rows open on ``on`` as at 31 March (ended after the day or not ended)."""
    return frame.filter((_d(start) <= on) & (_d(end).is_null() | (_d(end) > on)))


def _in_year(frame: pl.DataFrame, col: str, year: int) -> pl.DataFrame:
    return frame.filter((_d(col) >= date(year - 1, 4, 1)) & (_d(col) <= date(year, 3, 31)))


def _rates(g: Generated, year: int) -> dict[str, float]:
    pop = g.manifest["children_0_17"]
    march = date(year, 3, 31)
    cla = g.table("ssd_cla_episodes")
    return {
        "referrals": _per_10k(
            _in_year(g.table("ssd_cin_episodes"), "cine_referral_date", year).height, pop
        ),
        "cin_at31": _per_10k(
            _open_on(
                g.table("ssd_cin_episodes"), "cine_referral_date", "cine_close_date", march
            ).height,
            pop,
        ),
        "cp_at31": _per_10k(
            _open_on(
                g.table("ssd_cp_plans"), "cppl_cp_plan_start_date", "cppl_cp_plan_end_date", march
            ).height,
            pop,
        ),
        "cla_at31": _per_10k(
            _open_on(cla, "clae_cla_episode_start_date", "clae_cla_episode_ceased_date", march)[
                "clae_person_id"
            ].n_unique(),
            pop,
        ),
        "s47": _per_10k(
            _in_year(g.table("ssd_s47_enquiry"), "s47e_s47_start_date", year).height, pop
        ),
        "icpc": _per_10k(
            _in_year(g.table("ssd_initial_cp_conference"), "icpc_icpc_date", year).height, pop
        ),
        "cp_starts": _per_10k(
            _in_year(g.table("ssd_cp_plans"), "cppl_cp_plan_start_date", year).height, pop
        ),
        "cla_starts": _per_10k(
            _in_year(
                cla.filter(pl.col("clae_cla_episode_start_reason") == "S"),
                "clae_cla_episode_start_date",
                year,
            )["clae_person_id"].n_unique(),
            pop,
        ),
    }


@pytest.mark.parametrize("measure", sorted(ENGLAND))
def test_demand_per_10k_children_is_near_englands(council: Generated, measure: str) -> None:
    years = _reporting_years(council)
    assert len(years) >= 4
    england = ENGLAND[measure]
    for year in years:
        value = _rates(council, year)[measure]
        assert abs(value / england - 1) <= TOLERANCE, (
            f"{measure} {year}: {value:.1f} vs England {england:.1f}"
        )


def test_rereferrals_within_12_months_are_near_englands(council: Generated) -> None:
    ref = (
        council.table("ssd_cin_episodes")
        .select("cine_person_id", _d("cine_referral_date").alias("d"))
        .sort("cine_person_id", "d")
    )
    ref = ref.with_columns(pl.col("d").shift(1).over("cine_person_id").alias("prev"))
    # The first reporting year can miss earlier referrals closed before the history: skip it.
    for year in _reporting_years(council)[1:]:
        rows = ref.filter(
            (pl.col("d") >= date(year - 1, 4, 1)) & (pl.col("d") <= date(year, 3, 31))
        )
        within = rows.filter(
            pl.col("prev").is_not_null() & (pl.col("d") - pl.col("prev") <= timedelta(days=365))
        )
        pct = 100 * within.height / rows.height
        assert abs(pct / ENGLAND_REREFERRAL - 1) <= TOLERANCE, f"{year}: {pct:.1f}%"


def test_contacts_convert_to_referrals_at_25_to_35_percent(council: Generated) -> None:
    start = council.manifest["history_start"]
    referrals = (
        council.table("ssd_cin_episodes").filter(pl.col("cine_referral_date") >= start).height
    )
    contacts = council.table("ssd_contacts").height
    assert 0.25 <= referrals / contacts <= 0.35


def _monthly_rate(counts: dict[int, int], m: int, years: int) -> float:
    """Daily rate in calendar month ``m`` from counts over ``years`` whole years."""
    length = (date(2001 if m < 12 else 2002, m % 12 + 1, 1) - date(2001, m, 1)).days
    return counts[m] / (length * years)


def test_fewer_referrals_in_august_and_late_december_more_in_autumn_and_march(
    council: Generated,
) -> None:
    for table, col in (
        ("ssd_cin_episodes", "cine_referral_date"),
        ("ssd_contacts", "cont_contact_date"),
    ):
        start = date.fromisoformat(council.manifest["history_start"])
        days = (
            council.table(table)
            .select(_d(col).alias("d"))
            .filter(
                (pl.col("d") >= date(start.year + 1, 1, 1)) & (pl.col("d") < date(TODAY.year, 1, 1))
            )
        )
        n_days = (date(TODAY.year, 1, 1) - date(start.year + 1, 1, 1)).days
        per_day = days.height / n_days
        by_month = days.group_by(pl.col("d").dt.month().alias("m")).len()
        month = dict(zip(by_month["m"], by_month["len"], strict=True))
        years = TODAY.year - (start.year + 1)
        assert _monthly_rate(month, 8, years) < 0.9 * per_day, table
        for m in (3, 10, 11):
            assert _monthly_rate(month, m, years) > per_day, (table, m)
        late_dec = days.filter((pl.col("d").dt.month() == 12) & (pl.col("d").dt.day() >= 18)).height
        assert late_dec / (14 * years) < 0.85 * per_day, table


def test_children_are_counted_as_children_in_sibling_groups(council: Generated) -> None:
    start = council.manifest["history_start"]
    referred = (
        council.table("ssd_cin_episodes")
        .filter(pl.col("cine_referral_date") >= start)["cine_person_id"]
        .unique()
    )
    fam = council.table("ssd_family").filter(pl.col("fami_person_id").is_in(referred.implode()))
    ratio = fam["fami_person_id"].n_unique() / fam["fami_family_id"].n_unique()
    assert 1.5 <= ratio <= 1.9
    person = council.table("ssd_person")
    assert set(person["pers_sex"]) <= {"M", "F", "U"}
    white_british = (person["pers_ethnicity"] == "WBRI").mean()
    assert white_british is not None and 0.55 <= white_british <= 0.8


def test_care_leavers_and_proceedings_are_there(council: Generated) -> None:
    leavers = council.table("ssd_care_leavers").join(
        council.table("ssd_person"), left_on="clea_person_id", right_on="pers_person_id"
    )
    assert leavers.height > 50
    age = (_d("clea_care_leaver_latest_contact") - _d("pers_dob")).dt.total_days() / 365.25
    ages = leavers.select(age.alias("age"))["age"]
    assert ages.min() >= 18 and ages.max() < 22
    pre = council.table("ssd_pre_proceedings")
    assert pre.height > 50
    assert (
        pre.filter(pl.col("prep_pre_pro_outcome") == "Decision to Issue Care Proceedings").height
        > 0
    )
    assert pre.filter(pl.col("prep_la_final_care_plan") == "H").height > 0  # still in proceedings


# --- workforce ---------------------------------------------------------------------------------


def _active(frame: pl.DataFrame, on: date) -> pl.DataFrame:
    return frame.filter(
        (_d("start_date") <= on) & (_d("end_date").is_null() | (_d("end_date") >= on))
    )


def _fte(frame: pl.DataFrame) -> float:
    return float(frame["fte"].cast(pl.Float64).sum())


def test_teams(council: Generated) -> None:
    dept = council.table("ssd_department")
    assert 10 <= dept.height <= 14
    types = [infer_team_type(n) for n in dept["dept_team_name"]]
    counts = {t: types.count(t) for t in set(types)}
    assert counts["front_door"] == 1
    assert 2 <= counts["assessment"] <= 3
    assert 3 <= counts["cin_cp"] <= 4
    assert counts["cla"] == 2
    assert counts["leaving_care"] == counts["disabled_children"] == counts["court"] == 1
    assert counts["management"] == 1
    # Each practice team: one team manager, one or two senior practitioners, 6-12 social workers.
    est = council.establishment.filter(pl.col("end_date").is_null())
    for name, team_type in zip(dept["dept_team_name"], types, strict=True):
        posts = est.filter(pl.col("team") == name)
        roles = posts["role"].to_list()
        if team_type == "management":
            assert roles.count("head_of_service") == 1 and roles.count("service_manager") >= 2
            assert roles.count("independent_reviewing_officer") >= 1
            continue
        assert roles.count("team_manager") == 1, name
        assert 1 <= roles.count("senior_practitioner") <= 2, name
        assert 6 <= roles.count("social_worker") <= 12, name


def test_fte_is_150_to_200_today_and_at_each_30_september(council: Generated) -> None:
    for on in [TODAY, *_census_days(council)]:
        total = _fte(_active(council.staff, on))
        assert 150 <= total <= 200, (on, total)


def test_turnover_is_10_to_20_percent_each_census_year(council: Generated) -> None:
    """DfE definition: directly employed leavers' FTE in the year to 30 September over the FTE
    directly employed in post on 30 September."""
    direct = council.staff.filter(pl.col("contract") != "agency")
    for on in _census_days(council):
        in_post = _fte(_active(direct, on))
        leavers = direct.filter(
            pl.col("leaving_reason").is_not_null()
            & (_d("end_date") > on.replace(year=on.year - 1))
            & (_d("end_date") <= on)
        )
        turnover = _fte(leavers) / in_post
        assert 0.10 <= turnover <= 0.20, (on, turnover)
    reasons = direct["leaving_reason"].drop_nulls()
    assert (reasons == "1").mean() > 0.5
    assert {"5", "7"} <= set(reasons)


def test_agency_share_and_vacancies(council: Generated) -> None:
    for on in [TODAY, *_census_days(council)]:
        active = _active(council.staff, on)
        agency = _fte(active.filter(pl.col("contract") == "agency"))
        total = _fte(active)
        assert 0.08 <= agency / total <= 0.22, (on, agency / total)
    for year, root in council.csww.items():
        vacancies = float(root.findtext("LALevelVacancies/NumberOfVacancies") or 0)
        covered = float(root.findtext("LALevelVacancies/NoAgencyFTE") or 0)
        on = date(year, 9, 30)
        establishment = _fte(_active(council.establishment, on))
        assert 0.08 <= vacancies / establishment <= 0.22, (year, vacancies / establishment)
        assert 0.5 <= covered / vacancies <= 1.0, (year, covered, vacancies)
    # Some agency workers were later taken on permanently; some workers moved team.
    rows = council.staff.sort("worker_ref", "start_date")
    rows = rows.with_columns(
        pl.col("contract").shift(1).over("worker_ref").alias("before"),
        pl.col("team").shift(1).over("worker_ref").alias("team_before"),
    )
    assert (
        rows.filter((pl.col("before") == "agency") & (pl.col("contract") == "permanent")).height > 0
    )
    assert (
        rows.filter(
            pl.col("team_before").is_not_null() & (pl.col("team_before") != pl.col("team"))
        ).height
        > 0
    )


def _caseload(g: Generated, on: date) -> float:
    """Children allocated to a case worker on ``on`` over the FTE of workers holding one or more
    (agency included), as the DfE computes it."""
    inv = g.table("ssd_involvements").filter(
        (pl.col("invo_professional_role_id") == "CW")
        & (_d("invo_involvement_start_date") <= on)
        & (_d("invo_involvement_end_date").is_null() | (_d("invo_involvement_end_date") >= on))
    )
    held = inv.group_by("invo_professional_id").agg(pl.col("invo_person_id").n_unique().alias("n"))
    prof = g.table("ssd_professionals").select("prof_professional_id", "prof_staff_id")
    holders = held.join(prof, left_on="invo_professional_id", right_on="prof_professional_id")
    staff = _active(g.staff, on).select("worker_ref", "fte")
    fte = holders.join(staff, left_on="prof_staff_id", right_on="worker_ref")
    assert fte.height == holders.height  # every case worker is in post that day
    return float(held["n"].sum()) / _fte(fte)


def test_caseload_is_16_to_18_on_each_of_the_last_four_30_septembers(council: Generated) -> None:
    for on in _census_days(council)[-4:]:
        caseload = _caseload(council, on)
        assert 16 <= caseload <= 18, (on, caseload)


def test_caseload_stays_near_the_target_through_the_year(council: Generated) -> None:
    start = date.fromisoformat(council.manifest["history_start"]) + timedelta(days=365)
    on, values = start, []
    while on <= TODAY:
        values.append(_caseload(council, on))
        on += timedelta(days=61)
    assert min(values) >= 15.5 and max(values) <= 18.5, (min(values), max(values))


def test_absence_rate_is_2_5_to_5_percent(council: Generated) -> None:
    direct = council.staff.filter(pl.col("contract") != "agency")
    sick = council.absences.filter(pl.col("reason") == "SIC")
    for on in _census_days(council):
        year_start = on.replace(year=on.year - 1) + timedelta(days=1)
        lost = sick.filter((_d("start_date") >= year_start) & (_d("start_date") <= on))
        days = float(lost["working_days_lost"].cast(pl.Float64).sum())
        leap = any(date(y, 2, 28) + timedelta(days=1) != date(y, 3, 1) for y in (on.year,))
        rate = days / (_fte(_active(direct, on)) * (254 if leap else 253))
        assert 0.025 <= rate <= 0.05, (on, rate)


def test_team_managers_hold_a_handful_of_cases_and_asyes_fewer(council: Generated) -> None:
    managers_with_cases, asye, others = 0, [], []
    for root in council.csww.values():
        for w in root.findall("CSWWWorker"):
            cases = int(w.findtext("Cases30") or 0)
            if w.findtext("OrgRole") == "3" and cases > 0:
                managers_with_cases += 1
                assert cases <= 5
            if w.findtext("OrgRole") == "5" and w.find("RoleEndDate") is None and cases > 0:
                (asye if w.findtext("CFKSSstatus") == "1" else others).append(
                    cases / float(w.findtext("FTE") or 1)
                )
    assert 1 <= managers_with_cases <= 5 * len(council.csww)
    assert asye and sum(asye) / len(asye) < sum(others) / len(others)


# --- the census returns agree with the other extracts ----------------------------------------


def test_csww_returns_agree_with_staff_absences_and_the_ssd(council: Generated) -> None:
    staff = council.staff
    direct = staff.filter(pl.col("contract") != "agency")
    prof = council.table("ssd_professionals").select(
        "prof_professional_id", "prof_social_worker_registration_no"
    )
    sick = council.absences.filter(pl.col("reason") == "SIC").join(
        staff.select("worker_ref", "swe_number").unique(), on="worker_ref"
    )
    for year, root in council.csww.items():
        on = date(year, 9, 30)
        records = root.findall("CSWWWorker")
        in_post = [
            w
            for w in records
            if w.findtext("AgencyWorker") == "0" and w.find("RoleEndDate") is None
        ]
        leavers = [w for w in records if w.find("RoleEndDate") is not None]
        agency = [w for w in records if w.findtext("AgencyWorker") == "1"]
        # In-post FTE and leavers match staff.csv.
        assert sum(float(w.findtext("FTE") or 0) for w in in_post) == pytest.approx(
            _fte(_active(direct, on)), abs=0.01
        )
        staff_leavers = direct.filter(
            pl.col("leaving_reason").is_not_null()
            & (_d("end_date") > on.replace(year=year - 1))
            & (_d("end_date") <= on)
        )
        assert len(leavers) == staff_leavers.height
        assert sorted(w.findtext("ReasonLeave") or "" for w in leavers) == sorted(
            staff_leavers["leaving_reason"]
        )
        assert len(agency) == _active(staff.filter(pl.col("contract") == "agency"), on).height
        # Vacancies: establishment minus directly employed in post.
        vacancies = float(root.findtext("LALevelVacancies/NumberOfVacancies") or 0)
        est = _fte(_active(council.establishment, on))
        assert vacancies == pytest.approx(max(0.0, est - _fte(_active(direct, on))), abs=0.011)
        # Cases30 is the number of children allocated in the SSD on 30 September.
        inv = (
            council.table("ssd_involvements")
            .filter(
                (pl.col("invo_professional_role_id") == "CW")
                & (_d("invo_involvement_start_date") <= on)
                & (
                    _d("invo_involvement_end_date").is_null()
                    | (_d("invo_involvement_end_date") >= on)
                )
            )
            .join(prof, left_on="invo_professional_id", right_on="prof_professional_id")
        )
        cases = dict(
            inv.group_by("prof_social_worker_registration_no")
            .agg(pl.col("invo_person_id").n_unique())
            .iter_rows()
        )
        for w in in_post + agency:
            assert int(w.findtext("Cases30") or 0) == cases.get(w.findtext("SWENo"), 0)
        assert sum(int(w.findtext("Cases30") or 0) for w in records) == inv.height
        # WorkingDaysLost is the year's sickness in absences.csv.
        year_sick = sick.filter(
            (_d("start_date") > on.replace(year=year - 1)) & (_d("start_date") <= on)
        )
        lost = dict(
            year_sick.group_by("swe_number")
            .agg(pl.col("working_days_lost").cast(pl.Float64).sum())
            .iter_rows()
        )
        for w in in_post:
            assert float(w.findtext("WorkingDaysLost") or 0) == pytest.approx(
                lost.get(w.findtext("SWENo"), 0.0), abs=0.011
            )
