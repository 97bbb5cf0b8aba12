"""The generated files have exactly the agreed formats, and everything in them hangs together:
columns, identifiers, foreign keys, date order, no overlapping episodes or allocations."""

from __future__ import annotations

import re
from datetime import date

import defusedxml.ElementTree as SafeET
import polars as pl
import pytest
from tests.synthetic.synth_support import CSWW_SAMPLE, TODAY, Generated

from caseloads.domain.teams import infer_team_type
from caseloads.synthetic.ssd import SSD_TABLES

# (table, column, referenced table, referenced column); empty values are allowed.
FOREIGN_KEYS = [
    ("ssd_department", "dept_team_parent_id", "ssd_department", "dept_team_id"),
    ("ssd_involvements", "invo_professional_id", "ssd_professionals", "prof_professional_id"),
    ("ssd_involvements", "invo_professional_team", "ssd_department", "dept_team_id"),
    ("ssd_involvements", "invo_person_id", "ssd_person", "pers_person_id"),
    ("ssd_involvements", "invo_referral_id", "ssd_cin_episodes", "cine_referral_id"),
    ("ssd_contacts", "cont_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cin_episodes", "cine_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cin_episodes", "cine_referral_team", "ssd_department", "dept_team_id"),
    ("ssd_cin_episodes", "cine_referral_worker_id", "ssd_professionals", "prof_professional_id"),
    ("ssd_cin_assessments", "cina_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cin_assessments", "cina_referral_id", "ssd_cin_episodes", "cine_referral_id"),
    ("ssd_cin_assessments", "cina_assessment_team", "ssd_department", "dept_team_id"),
    (
        "ssd_cin_assessments",
        "cina_assessment_worker_id",
        "ssd_professionals",
        "prof_professional_id",
    ),
    ("ssd_s47_enquiry", "s47e_referral_id", "ssd_cin_episodes", "cine_referral_id"),
    ("ssd_s47_enquiry", "s47e_person_id", "ssd_person", "pers_person_id"),
    (
        "ssd_s47_enquiry",
        "s47e_s47_completed_by_worker_id",
        "ssd_professionals",
        "prof_professional_id",
    ),
    ("ssd_s47_enquiry", "s47e_s47_completed_by_team", "ssd_department", "dept_team_id"),
    ("ssd_initial_cp_conference", "icpc_s47_enquiry_id", "ssd_s47_enquiry", "s47e_s47_enquiry_id"),
    ("ssd_initial_cp_conference", "icpc_person_id", "ssd_person", "pers_person_id"),
    ("ssd_initial_cp_conference", "icpc_cp_plan_id", "ssd_cp_plans", "cppl_cp_plan_id"),
    ("ssd_initial_cp_conference", "icpc_referral_id", "ssd_cin_episodes", "cine_referral_id"),
    ("ssd_initial_cp_conference", "icpc_icpc_team", "ssd_department", "dept_team_id"),
    (
        "ssd_initial_cp_conference",
        "icpc_icpc_worker_id",
        "ssd_professionals",
        "prof_professional_id",
    ),
    ("ssd_cin_plans", "cinp_referral_id", "ssd_cin_episodes", "cine_referral_id"),
    ("ssd_cin_plans", "cinp_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cin_plans", "cinp_cin_plan_team", "ssd_department", "dept_team_id"),
    ("ssd_cin_plans", "cinp_cin_plan_worker_id", "ssd_professionals", "prof_professional_id"),
    ("ssd_cp_plans", "cppl_referral_id", "ssd_cin_episodes", "cine_referral_id"),
    ("ssd_cp_plans", "cppl_icpc_id", "ssd_initial_cp_conference", "icpc_icpc_id"),
    ("ssd_cp_plans", "cppl_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cla_episodes", "clae_person_id", "ssd_person", "pers_person_id"),
    ("ssd_cla_episodes", "clae_referral_id", "ssd_cin_episodes", "cine_referral_id"),
    ("ssd_family", "fami_person_id", "ssd_person", "pers_person_id"),
    ("ssd_care_leavers", "clea_person_id", "ssd_person", "pers_person_id"),
    ("ssd_care_leavers", "clea_care_leaver_allocated_team", "ssd_department", "dept_team_id"),
    ("ssd_care_leavers", "clea_care_leaver_worker_id", "ssd_professionals", "prof_professional_id"),
    ("ssd_pre_proceedings", "prep_person_id", "ssd_person", "pers_person_id"),
]

# Records that belong to a referral: (table, id column, person column, referral column, start, end)
IN_EPISODE = [
    (
        "ssd_cin_assessments",
        "cina_person_id",
        "cina_referral_id",
        "cina_assessment_start_date",
        "cina_assessment_auth_date",
    ),
    (
        "ssd_s47_enquiry",
        "s47e_person_id",
        "s47e_referral_id",
        "s47e_s47_start_date",
        "s47e_s47_end_date",
    ),
    (
        "ssd_initial_cp_conference",
        "icpc_person_id",
        "icpc_referral_id",
        "icpc_icpc_date",
        "icpc_icpc_date",
    ),
    (
        "ssd_cin_plans",
        "cinp_person_id",
        "cinp_referral_id",
        "cinp_cin_plan_start_date",
        "cinp_cin_plan_end_date",
    ),
    (
        "ssd_cp_plans",
        "cppl_person_id",
        "cppl_referral_id",
        "cppl_cp_plan_start_date",
        "cppl_cp_plan_end_date",
    ),
    (
        "ssd_cla_episodes",
        "clae_person_id",
        "clae_referral_id",
        "clae_cla_episode_start_date",
        "clae_cla_episode_ceased_date",
    ),
    (
        "ssd_involvements",
        "invo_person_id",
        "invo_referral_id",
        "invo_involvement_start_date",
        "invo_involvement_end_date",
    ),
]

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _d(col: str) -> pl.Expr:
    return pl.col(col).str.to_date("%Y-%m-%d")


def test_every_ssd_table_has_exactly_the_spec_columns_in_order(
    generated: Generated, spec_fields: dict[str, list[str]]
) -> None:
    assert sorted(generated.ssd) == sorted(SSD_TABLES)
    for name in SSD_TABLES:
        header = (generated.result.ssd_dir / f"{name}.csv").read_text("utf-8").split("\n", 1)[0]
        assert header.split(",") == spec_fields[name], name
        assert generated.table(name).height == generated.result.row_counts[name]


def test_files_are_utf8_with_unix_line_ends_and_iso_dates(generated: Generated) -> None:
    paths = [*generated.result.ssd_dir.glob("*.csv"), generated.result.staff_csv]
    paths += [generated.result.absences_csv, generated.result.establishment_csv]
    paths += [generated.result.pipeline_csv, *generated.result.csww_files]
    for path in paths:
        raw = path.read_bytes()
        assert b"\r" not in raw, path.name
        raw.decode("utf-8")
    for name, frame in generated.ssd.items():
        for col in frame.columns:
            if col.endswith("_date") or col.endswith("_dob"):
                values = frame.get_column(col).drop_nulls().to_list()
                assert all(ISO.match(v) for v in values), (name, col)


def test_identifiers_have_the_agreed_shapes(generated: Generated) -> None:
    g = generated
    checks = [
        (g.table("ssd_person"), "pers_person_id", r"C\d{7}"),
        (g.table("ssd_professionals"), "prof_professional_id", r"P\d{5}"),
        (g.table("ssd_involvements"), "invo_involvements_id", r"I\d+"),
        (g.table("ssd_contacts"), "cont_contact_id", r"K\d+"),
        (g.table("ssd_cin_episodes"), "cine_referral_id", r"R\d+"),
        (g.table("ssd_department"), "dept_team_id", r"T\d{2}"),
        (g.staff, "worker_ref", r"W\d{5}"),
        (g.staff, "swe_number", r"SW\d{10}"),
        (g.establishment, "post_id", r"POST\d{4}"),
        (g.pipeline, "candidate_ref", r"CAND\d{5}"),
    ]
    for frame, col, pattern in checks:
        values = frame.get_column(col).drop_nulls().to_list()
        assert values and all(re.fullmatch(pattern, v) for v in values), col
    for name, frame in g.ssd.items():
        key = frame.columns[0]
        if name != "ssd_family":
            assert frame.get_column(key).n_unique() == frame.height, name


def test_every_reference_resolves(generated: Generated) -> None:
    for table, col, target, target_col in FOREIGN_KEYS:
        values = generated.table(table).get_column(col).drop_nulls().unique()
        known = generated.table(target).get_column(target_col)
        missing = values.filter(~values.is_in(known.implode()))
        assert missing.len() == 0, f"{table}.{col}: {missing.head(5).to_list()}"
    prof = generated.table("ssd_professionals")
    staff_refs = generated.staff.get_column("worker_ref").unique()
    staff_ids = prof.get_column("prof_staff_id").drop_nulls()
    assert staff_ids.is_in(staff_refs.implode()).all()
    # The same worker has the same SWE number in staff.csv and the SSD.
    pairs = generated.staff.select("worker_ref", "swe_number").unique()
    joined = prof.drop_nulls("prof_staff_id").join(
        pairs, left_on="prof_staff_id", right_on="worker_ref", how="left"
    )
    assert (joined["prof_social_worker_registration_no"] == joined["swe_number"]).all()
    # Every worker in staff.csv is a professional.
    assert staff_refs.is_in(staff_ids.implode()).all()


def test_records_sit_inside_their_referral_episode_and_dates_run_forwards(
    generated: Generated,
) -> None:
    episodes = generated.table("ssd_cin_episodes").select(
        "cine_referral_id",
        "cine_person_id",
        _d("cine_referral_date").alias("ref"),
        _d("cine_close_date").alias("close"),
    )
    assert episodes.filter(pl.col("close") < pl.col("ref")).height == 0
    for table, person, referral, start, end in IN_EPISODE:
        frame = generated.table(table).filter(pl.col(referral).is_not_null())
        rows = frame.select(person, referral, _d(start).alias("s"), _d(end).alias("e")).join(
            episodes, left_on=referral, right_on="cine_referral_id", how="left"
        )
        assert rows.filter(pl.col(person) != pl.col("cine_person_id")).height == 0, table
        assert rows.filter(pl.col("e") < pl.col("s")).height == 0, table
        assert rows.filter(pl.col("s") < pl.col("ref")).height == 0, table
        closed = rows.filter(pl.col("close").is_not_null())
        assert closed.filter(pl.col("s") > pl.col("close")).height == 0, table
        assert closed.filter(pl.col("e").is_null() | (pl.col("e") > pl.col("close"))).height == 0, (
            table
        )
    icpc = generated.table("ssd_initial_cp_conference").join(
        generated.table("ssd_s47_enquiry"),
        left_on="icpc_s47_enquiry_id",
        right_on="s47e_s47_enquiry_id",
    )
    assert icpc.filter(_d("icpc_icpc_date") < _d("s47e_s47_start_date")).height == 0
    assert icpc.filter(pl.col("icpc_person_id") != pl.col("s47e_person_id")).height == 0
    plans = generated.table("ssd_cp_plans").join(
        generated.table("ssd_initial_cp_conference"),
        left_on="cppl_icpc_id",
        right_on="icpc_icpc_id",
    )
    assert (plans["cppl_cp_plan_start_date"] == plans["icpc_icpc_date"]).all()
    # Nothing is dated after today.
    today = TODAY.isoformat()
    for name, frame in generated.ssd.items():
        for col in frame.columns:
            if col.endswith("_date") and "target" not in col:
                latest = frame.get_column(col).drop_nulls().max()
                assert latest is None or str(latest) <= today, (name, col)


def test_no_child_has_overlapping_periods_of_care(generated: Generated) -> None:
    # SSDA903 convention: an episode ceasing on day D (reason X1) is followed by one starting on D.
    cla = (
        generated.table("ssd_cla_episodes")
        .select(
            "clae_person_id",
            _d("clae_cla_episode_start_date").alias("s"),
            _d("clae_cla_episode_ceased_date").alias("e"),
            "clae_cla_episode_ceased_reason",
        )
        .sort("clae_person_id", "s")
    )
    nxt = cla.with_columns(
        pl.col("s").shift(-1).over("clae_person_id").alias("next_s"),
    )
    following = nxt.filter(pl.col("next_s").is_not_null())
    assert following.filter(pl.col("e").is_null()).height == 0
    assert following.filter(pl.col("next_s") < pl.col("e")).height == 0
    x1 = following.filter(pl.col("clae_cla_episode_ceased_reason") == "X1")
    assert (x1["next_s"] == x1["e"]).all()
    assert cla.filter(pl.col("e") < pl.col("s")).height == 0


def test_a_child_has_one_allocated_social_worker_at_a_time(generated: Generated) -> None:
    inv = generated.table("ssd_involvements")
    cw = (
        inv.filter(pl.col("invo_professional_role_id").is_in(["CW", "FHLP"]))
        .select(
            "invo_person_id",
            _d("invo_involvement_start_date").alias("s"),
            _d("invo_involvement_end_date").alias("e"),
        )
        .sort("invo_person_id", "s")
    )
    nxt = cw.with_columns(pl.col("s").shift(-1).over("invo_person_id").alias("next_s"))
    following = nxt.filter(pl.col("next_s").is_not_null())
    # Inclusive intervals: the next allocation starts after the previous one ends.
    assert following.filter(pl.col("e").is_null() | (pl.col("next_s") <= pl.col("e"))).height == 0
    assert set(inv["invo_professional_role_id"].unique()) <= {"CW", "IRO", "FHLP"}
    reasons = set(inv["invo_worker_change_reason"].drop_nulls().unique())
    assert reasons <= {"TRANSFER", "CASE_CLOSED", "WORKER_LEFT", "WORKER_ABSENT"}
    assert {"TRANSFER", "CASE_CLOSED", "WORKER_LEFT"} <= reasons
    # Open involvements have no reason; ended ones always have one.
    assert (
        inv.filter(
            pl.col("invo_involvement_end_date").is_null()
            & pl.col("invo_worker_change_reason").is_not_null()
        ).height
        == 0
    )
    assert (
        inv.filter(
            pl.col("invo_involvement_end_date").is_not_null()
            & pl.col("invo_worker_change_reason").is_null()
        ).height
        == 0
    )


def test_case_workers_are_in_the_team_they_work_in_on_that_day(generated: Generated) -> None:
    """An allocation's team is the worker's team in staff.csv when it starts."""
    prof = generated.table("ssd_professionals").select("prof_professional_id", "prof_staff_id")
    dept = generated.table("ssd_department").select("dept_team_id", "dept_team_name")
    inv = (
        generated.table("ssd_involvements")
        .filter(pl.col("invo_professional_role_id") == "CW")
        .join(prof, left_on="invo_professional_id", right_on="prof_professional_id")
        .join(dept, left_on="invo_professional_team", right_on="dept_team_id")
        .with_columns(_d("invo_involvement_start_date").alias("s"))
    )
    staff = generated.staff.with_columns(
        _d("start_date").alias("a"), _d("end_date").fill_null(date(9999, 1, 1)).alias("b")
    )
    history_start = date.fromisoformat(generated.manifest["history_start"])
    recent = inv.filter(pl.col("s") >= history_start)
    joined = recent.join(staff, left_on="prof_staff_id", right_on="worker_ref").filter(
        (pl.col("a") <= pl.col("s")) & (pl.col("b") >= pl.col("s"))
    )
    assert joined.height == recent.height
    assert (joined["team"] == joined["dept_team_name"]).all()
    assert set(joined["role"].unique()) <= {"social_worker", "senior_practitioner", "team_manager"}


def test_team_names_make_their_type_obvious(generated: Generated) -> None:
    dept = generated.table("ssd_department")
    types = [infer_team_type(n) for n in dept["dept_team_name"]]
    assert "other" not in types
    assert types.count("management") == 1
    parents = dept.filter(pl.col("dept_team_parent_id").is_null())
    assert parents.height == 1 and infer_team_type(parents["dept_team_name"][0]) == "management"
    # Spreadsheets name the same teams.
    names = set(dept["dept_team_name"])
    assert set(generated.staff["team"]) <= names
    assert set(generated.establishment["team"]) <= names
    assert set(generated.pipeline["team"]) <= names


def test_professionals_table(generated: Generated) -> None:
    prof = generated.table("ssd_professionals")
    titles = {
        "Social Worker",
        "Senior Practitioner",
        "Team Manager",
        "Service Manager",
        "Head of Service",
        "Independent Reviewing Officer",
        "Quality Assurance Officer",
        "Family Help Practitioner",
    }
    assert set(prof["prof_professional_job_title"]) <= titles
    assert set(prof["prof_agency_worker_flag"]) <= {"Y", "N"}
    assert prof["prof_professional_name"].null_count() == prof.height
    fte = prof["prof_full_time_equivalency"].cast(pl.Float64)
    assert ((fte > 0) & (fte <= 1)).all()
    # The caseload snapshot is the count of children allocated on the previous 30 September.
    snapshot = date(TODAY.year if date(TODAY.year, 9, 30) <= TODAY else TODAY.year - 1, 9, 30)
    inv = generated.table("ssd_involvements").filter(
        pl.col("invo_professional_role_id").is_in(["CW", "FHLP"])
        & (_d("invo_involvement_start_date") <= snapshot)
        & (
            _d("invo_involvement_end_date").is_null()
            | (_d("invo_involvement_end_date") >= snapshot)
        )
    )
    counts = inv.group_by("invo_professional_id").agg(
        pl.col("invo_person_id").n_unique().alias("n")
    )
    joined = prof.join(
        counts, left_on="prof_professional_id", right_on="invo_professional_id", how="left"
    )
    assert (joined["prof_professional_caseload"].cast(pl.Int64) == joined["n"].fill_null(0)).all()


def test_staff_csv(generated: Generated) -> None:
    staff = generated.staff
    assert staff.columns == [
        "worker_ref",
        "swe_number",
        "post_id",
        "team",
        "role",
        "org_role",
        "contract",
        "fte",
        "start_date",
        "end_date",
        "leaving_reason",
        "qualified_date",
        "asye_start",
    ]
    org = {
        "social_worker": "5",
        "senior_practitioner": "4",
        "team_manager": "3",
        "service_manager": "2",
        "head_of_service": "1",
        "independent_reviewing_officer": "6",
        "quality_assurance_officer": "6",
    }
    assert set(staff["role"]) <= set(org)
    assert all(org[r] == o for r, o in zip(staff["role"], staff["org_role"], strict=True))
    assert set(staff["contract"]) <= {"permanent", "fixed_term", "agency", "casual"}
    fte = staff["fte"].cast(pl.Float64)
    assert ((fte > 0) & (fte <= 1)).all()
    assert set(staff["leaving_reason"].drop_nulls()) <= {str(i) for i in range(1, 11)}
    assert (
        staff.filter(pl.col("contract") == "agency")["leaving_reason"].null_count()
        == staff.filter(pl.col("contract") == "agency").height
    )
    # One worker, one SWE number; a worker's rows follow on from each other.
    assert (
        staff.group_by("worker_ref").agg(pl.col("swe_number").n_unique())["swe_number"].max() == 1
    )
    rows = staff.with_columns(_d("start_date").alias("s"), _d("end_date").alias("e")).sort(
        "worker_ref", "s"
    )
    rows = rows.with_columns(pl.col("s").shift(-1).over("worker_ref").alias("next_s"))
    following = rows.filter(pl.col("next_s").is_not_null())
    gap = following.filter(pl.col("next_s") != pl.col("e") + pl.duration(days=1))
    assert gap.height == 0
    # A reason only on a directly employed worker's last row, and every such last row that ended
    # has one.
    assert following["leaving_reason"].null_count() == following.height
    last = rows.filter(
        pl.col("next_s").is_null() & pl.col("e").is_not_null() & (pl.col("contract") != "agency")
    )
    assert last["leaving_reason"].null_count() == 0
    assert rows.filter(pl.col("e") < pl.col("s")).height == 0
    assert (rows["qualified_date"] <= rows["start_date"]).all()
    assert staff["asye_start"].drop_nulls().len() > 0
    assert (
        staff.filter(pl.col("post_id").is_not_null())["post_id"]
        .is_in(generated.establishment["post_id"].implode())
        .all()
    )


def test_establishment_is_effective_dated_with_a_restructure(generated: Generated) -> None:
    est = generated.establishment
    assert est.columns == [
        "post_id",
        "team",
        "role",
        "grade",
        "fte",
        "funding",
        "start_date",
        "end_date",
    ]
    assert set(est["funding"]) <= {"permanent", "temporary"}
    assert est["post_id"].n_unique() == est.height
    history_start = generated.manifest["history_start"]
    ended = est.filter(pl.col("end_date").is_not_null())
    started_later = est.filter(pl.col("start_date") >= history_start)
    assert ended.height >= 1 and started_later.height >= 1
    assert generated.manifest["restructures"]
    assert (
        est["end_date"].drop_nulls() >= est.filter(pl.col("end_date").is_not_null())["start_date"]
    ).all()


def test_absences_csv(generated: Generated) -> None:
    ab = generated.absences
    assert ab.columns == ["worker_ref", "start_date", "end_date", "working_days_lost", "reason"]
    assert set(ab["reason"]) <= {"SIC", "MAT", "OTH", "PUB", "TRN", "UNA", "UNP"}
    assert "SIC" in set(ab["reason"])
    direct = generated.staff.filter(pl.col("contract") != "agency")
    assert ab["worker_ref"].is_in(direct["worker_ref"].implode()).all()
    days = ab["working_days_lost"].cast(pl.Float64)
    assert (days >= 0).all()
    rows = ab.with_columns(_d("start_date").alias("s"), _d("end_date").alias("e")).sort(
        "worker_ref", "s"
    )
    rows = rows.with_columns(pl.col("s").shift(-1).over("worker_ref").alias("next_s"))
    following = rows.filter(pl.col("next_s").is_not_null())
    assert following.filter(pl.col("e").is_null() | (pl.col("next_s") <= pl.col("e"))).height == 0
    # Every spell falls within the worker's direct employment.
    emp = direct.group_by("worker_ref").agg(
        _d("start_date").min().alias("a"),
        _d("end_date").max().alias("b"),
        _d("end_date").null_count().alias("open"),
    )
    joined = rows.join(emp, on="worker_ref")
    assert joined.filter(pl.col("s") < pl.col("a")).height == 0
    assert joined.filter((pl.col("open") == 0) & (pl.col("e") > pl.col("b"))).height == 0


def test_pipeline_csv(generated: Generated) -> None:
    pipe = generated.pipeline
    assert pipe.columns == [
        "candidate_ref",
        "team",
        "role",
        "contract",
        "fte",
        "stage",
        "stage_date",
        "expected_start",
    ]
    assert set(pipe["stage"]) <= {
        "applied",
        "shortlisted",
        "offered",
        "accepted",
        "checks",
        "started",
        "withdrawn",
    }
    assert set(pipe["contract"]) <= {"permanent", "agency"}
    assert pipe["candidate_ref"].n_unique() == pipe.height
    assert (pipe["stage_date"] <= TODAY.isoformat()).all()
    assert (pipe["stage_date"] >= date(TODAY.year - 1, TODAY.month, 1).isoformat()).all()
    assert {"started", "applied"} <= set(pipe["stage"])
    with_start = pipe.filter(pl.col("expected_start").is_not_null())
    assert set(with_start["stage"]) <= {"accepted", "checks", "started"}


#: CSWWWorker items in the order of the 2022 sample (the brief's list).
CSWW_ORDER = (
    "AgencyWorker",
    "SWENo",
    "FTE",
    "PersonBirthDate",
    "GenderCurrent",
    "Ethnicity",
    "QualInst",
    "QualLevel",
    "StepUpGrad",
    "OrgRole",
    "RoleStartDate",
    "StartOrigin",
    "RoleEndDate",
    "LeaverDestination",
    "ReasonLeave",
    "FTE30",
    "Cases30",
    "WorkingDaysLost",
    "ContractWeeks",
    "FrontlineGrad",
    "Absat30Sept",
    "ReasonAbsence",
    "CFKSSstatus",
)


def _in_order(tags: list[str]) -> bool:
    position = [CSWW_ORDER.index(t) for t in tags]
    return position == sorted(position)


def test_csww_returns_follow_the_sample_structure(generated: Generated) -> None:
    sample = SafeET.parse(CSWW_SAMPLE).getroot()
    # The order used is the sample's: every sample record follows it.
    for worker in sample.iter("CSWWWorker"):
        assert _in_order([c.tag for c in worker])
    years = sorted(generated.csww)
    assert years == [2022, 2023, 2024, 2025, 2026]
    assert [p.name for p in generated.result.csww_files] == [f"csww_{y}.xml" for y in years]
    for year, root in generated.csww.items():
        assert root.tag == "Message"
        assert [c.tag for c in root][:2] == ["Header", "LALevelVacancies"]
        assert root.findtext("Header/CollectionDetails/Collection") == "CSWW"
        assert root.findtext("Header/CollectionDetails/Year") == str(year)
        assert root.findtext("Header/CollectionDetails/ReferenceDate") == f"{year}-09-30"
        assert root.findtext("Header/Source/SourceLevel") == "L"
        assert root.findtext("Header/Source/LEA") == generated.result.la_code
        assert root.findtext("Header/Source/SoftwareCode") == "caseloads.synthetic"
        workers = root.findall("CSWWWorker")
        assert len(workers) == generated.result.row_counts[f"csww_{year}"]
        for w in workers:
            tags = [c.tag for c in w]
            assert _in_order(tags), tags
            swe = w.findtext("SWENo") or ""
            assert re.fullmatch(r"SW\d{10}", swe)
            if w.findtext("AgencyWorker") == "1":
                assert set(tags) == {
                    "AgencyWorker",
                    "SWENo",
                    "FTE",
                    "OrgRole",
                    "Cases30",
                    "ContractWeeks",
                }
            else:
                required = {
                    "PersonBirthDate",
                    "GenderCurrent",
                    "Ethnicity",
                    "QualInst",
                    "StepUpGrad",
                    "OrgRole",
                    "RoleStartDate",
                    "StartOrigin",
                    "FTE30",
                    "WorkingDaysLost",
                    "FrontlineGrad",
                }
                assert required <= set(tags)
                if w.find("RoleEndDate") is not None:
                    # A leaver's FTE is 0 (the validator's rule); the FTE they held is in FTE30.
                    assert w.findtext("FTE") == "0"
                    assert 0 < float(w.findtext("FTE30") or "0") <= 1
                    assert (
                        w.find("ReasonLeave") is not None
                        and w.find("LeaverDestination") is not None
                    )
            assert re.fullmatch(r"\d\.\d{6}|0", w.findtext("FTE") or "")


@pytest.mark.parametrize("size", ["small", "council"])
def test_manifest(size: str, request: pytest.FixtureRequest) -> None:
    g: Generated = request.getfixturevalue(size)
    m = g.manifest
    assert m["seed"] == 1 and m["size"] == size and m["la_code"] == "826"
    assert m["today"] == TODAY.isoformat()
    assert m["row_counts"] == g.result.row_counts
    assert m["children_0_17"] == (80_000 if size == "council" else 6_000)
    # The persons file holds only children who had contact with services.
    persons = g.table("ssd_person").height
    assert 0 < persons < m["children_0_17"]
