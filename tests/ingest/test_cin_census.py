"""The DfE CIN census return (cin_census.py and its cin_census_* helpers)."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest.helpers import (
    XML_SAMPLES,
    P,
    assert_clean,
    assert_no_raw,
    assert_shapes,
    found,
    write,
)

from caseloads.ingest import rules
from caseloads.ingest.cin_census import RULES, read_cin_census
from caseloads.ingest.extract import Extract
from caseloads.ingest.pseudonymise import local_namespace

SAMPLE_2022 = XML_SAMPLES / "cin_census_2022_sample.xml"
SMALL_2024 = XML_SAMPLES / "cin_census_2024_small.xml"
LEA_975 = XML_SAMPLES / "cin_census_fake_lea975.xml"
ALL_RULES = set(rules.RULES) | {r.id for r in RULES}


def read(path: Path, la_code: str | None = None) -> Extract:
    return read_cin_census(path, la_code=la_code, pseudonymiser=P, max_file_bytes=10_000_000)


def read_text(tmp_path: Path, text: str | bytes, la_code: str | None = None) -> Extract:
    return read(write(tmp_path, "cin.xml", text), la_code)


def ns(la: str, kind: str) -> str:
    return local_namespace(la, kind)


def got(extract: Extract) -> list[tuple[str, str, int | None, str | None, str | None]]:
    return [(f.severity, f.rule, f.row, f.column, f.value) for f in extract.findings]


# --- hand-built returns --------------------------------------------------------------------------


def header(
    year: str = "2023", reference: str | None = "2023-03-31", lea: str = "826", coll: str = "CIN"
) -> str:
    ref = "" if reference is None else f"<ReferenceDate>{reference}</ReferenceDate>"
    return (
        f"<Header><CollectionDetails><Collection>{coll}</Collection><Year>{year}</Year>{ref}"
        f"</CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>{lea}</LEA></Source>"
        "</Header>"
    )


def cin(
    referral: str = "2022-06-01", *, close: str = "", nfa: str = "false", extra: str = ""
) -> str:
    closing = (
        f"<CINclosureDate>{close}</CINclosureDate><ReasonForClosure>RC7</ReasonForClosure>"
        if close
        else ""
    )
    return (
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate><ReferralSource>1A"
        f"</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>{closing}{extra}"
        f"<ReferralNFA>{nfa}</ReferralNFA></CINdetails>"
    )


def child(
    *details: str,
    child_id: str = "C1",
    sex: str = "<GenderCurrent>1</GenderCurrent>",
    born: str = "<PersonBirthDate>2015-05-17</PersonBirthDate>",
    identifiers: str = "",
    characteristics: str = "",
) -> str:
    return (
        f"<Child><ChildIdentifiers><LAchildID>{child_id}</LAchildID><UPN>A123456789012</UPN>"
        f"{born}{sex}{identifiers}</ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI"
        f"</Ethnicity>{characteristics}</ChildCharacteristics>{''.join(details) or cin()}</Child>"
    )


def message(*kids: str, head: str | None = None) -> str:
    body = "".join(kids) or child()
    return (
        f"<?xml version='1.0' encoding='utf-8'?><Message>{head or header()}"
        f"<Children>{body}</Children></Message>"
    )


def assessment(start: str, auth: str = "", factors: str = "") -> str:
    end = f"<AssessmentAuthorisationDate>{auth}</AssessmentAuthorisationDate>" if auth else ""
    return (
        f"<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate>{end}"
        f"{factors}</Assessments>"
    )


def s47(start: str, icpc: str = "", target: str = "") -> str:
    conference = f"<DateOfInitialCPC>{icpc}</DateOfInitialCPC>" if icpc else ""
    aim = f"<InitialCPCtarget>{target}</InitialCPCtarget>" if target else ""
    return (
        f"<Section47><S47ActualStartDate>{start}</S47ActualStartDate>{aim}{conference}"
        "<ICPCnotRequired>false</ICPCnotRequired></Section47>"
    )


def cpp(start: str, end: str = "", previous: str = "0", reviews: str = "") -> str:
    ending = f"<CPPendDate>{end}</CPPendDate>" if end else ""
    return (
        f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>{ending}"
        "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>EMO"
        f"</LatestCategoryOfAbuse><NumberOfPreviousCPP>{previous}</NumberOfPreviousCPP>"
        f"{reviews}</ChildProtectionPlans>"
    )


# --- the fixtures ------------------------------------------------------------------------------


def test_the_2022_sample_is_mapped_in_full() -> None:
    extract = read(SAMPLE_2022, "201")
    assert_shapes(extract)
    assert (extract.kind, extract.la_code, extract.scope) == ("cin-census", "201", "2022")
    assert extract.as_of == date(2022, 3, 31)
    child_id = P.one(ns("201", "person"), "DfEX0000001")
    key = "DfEX0000001|1970-10-06"
    referral = P.one(ns("201", "referral"), key)
    frames = extract.frames
    assert frames["children"].rows() == [(child_id, "1966-03", "M", "WBRI")]  # GenderCurrent 1
    assert frames["disabilities"].rows() == [(child_id, "HAND"), (child_id, "HEAR")]
    assert frames["referrals"].rows(named=True) == [
        {
            "referral_id": referral,
            "child_id": child_id,
            "referral_date": date(1970, 10, 6),
            "source_code": "1A",
            "primary_need_code": "N4",
            "nfa": False,
            "close_date": date(1971, 2, 27),
            "close_reason": "RC1",
            "team_id": None,
            "worker_id": None,
        }
    ]
    assessment_id = P.one(ns("201", "assessment"), f"{key}|1970-06-03")
    assert frames["assessments"].rows() == [
        (
            assessment_id,
            child_id,
            referral,
            date(1970, 6, 3),
            date(1971, 7, 18),
            None,
            None,
            None,
            None,
        )
    ]
    assert frames["assessment_factors"].rows() == [
        (assessment_id, child_id, "2A"),
        (assessment_id, child_id, "2B"),
    ]
    plan = P.one(ns("201", "cin_plan"), f"{key}|1971-01-24")
    assert frames["cin_plans"].rows() == [
        (plan, child_id, referral, date(1971, 1, 24), date(1971, 1, 26), None, None)
    ]
    s47_id = P.one(ns("201", "s47"), f"{key}|1970-06-02")
    assert frames["s47_enquiries"].rows() == [
        (s47_id, child_id, referral, date(1970, 6, 2), None, None, False, None, None)
    ]
    conference = P.one(ns("201", "icpc"), f"{key}|1970-06-02|1970-06-17")
    own = P.one(ns("201", "icpc"), f"{key}||1970-12-06")
    none4 = (None, None, None, None)
    assert frames["icpcs"].rows() == [
        (
            conference,
            s47_id,
            child_id,
            referral,
            None,
            date(1970, 6, 17),
            date(1970, 6, 23),
            *none4,
        ),
        (own, None, child_id, referral, None, date(1970, 12, 6), None, *none4),
    ]
    plan_id = P.one(ns("201", "cp_plan"), f"{key}|1970-02-17")
    assert frames["cp_plans"].rows() == [
        (
            plan_id,
            child_id,
            referral,
            None,
            date(1970, 2, 17),
            date(1971, 3, 14),
            "PHY",
            "PHY",
            None,
            10,
        )
    ]
    assert frames["cp_reviews"].rows() == [(plan_id, child_id, date(1971, 2, 15))]
    # The odd dates: activities before the referral or after the closure of their episode.
    a, s, c = "CINdetails/Assessments/", "CINdetails/Section47/", "CINdetails/ChildProtectionPlans/"
    assert got(extract) == [
        (
            "warning",
            "date.episode",
            1,
            f"{a}AssessmentActualStartDate",
            "1970-06-03 is before 1970-10-06",
        ),
        (
            "warning",
            "date.episode",
            1,
            f"{a}AssessmentAuthorisationDate",
            "1971-07-18 is after 1971-02-27",
        ),
        ("warning", "date.episode", 1, f"{s}S47ActualStartDate", "1970-06-02 is before 1970-10-06"),
        ("warning", "date.episode", 1, f"{s}DateOfInitialCPC", "1970-06-17 is before 1970-10-06"),
        ("warning", "date.episode", 1, f"{c}CPPstartDate", "1970-02-17 is before 1970-10-06"),
        ("warning", "date.episode", 1, f"{c}CPPendDate", "1971-03-14 is after 1971-02-27"),
    ]
    raw = ["DfEX0000001", "A123456789123", "X98765432123B", "UN3", "1966-03-24", "1966-03-22"]
    assert_no_raw(extract, [*raw, "1980-10-08", "1980-10"])


def test_the_lea_975_return() -> None:
    extract = read(LEA_975)
    assert_shapes(extract)
    assert (extract.la_code, extract.scope, extract.as_of) == ("975", "2022", date(2022, 7, 21))
    counts = extract.row_counts()
    assert counts["children"] == 332 and counts["referrals"] == 402
    assert (counts["icpcs"], counts["disabilities"], counts["assessments"]) == (350, 117, 0)
    assert not extract.findings.has_errors()
    # A generated file: its reference date is the day it was made, so eight referrals are later.
    assert [(f.rule, f.row) for f in extract.findings][:2] == [
        ("census.reference_date", None),
        ("census.period", 92),
    ]
    assert len(found(extract, "census.period", "warning")) == 8
    assert len(extract.findings) == 9
    referrals = extract.frames["referrals"]
    assert referrals.get_column("referral_id").n_unique() == 402
    assert referrals.get_column("nfa").all()
    assert extract.frames["children"].get_column("child_id").n_unique() == 332
    text = LEA_975.read_text()
    raw = re.findall(r"<(?:LAchildID|UPN)>(.*?)<", text)
    births = re.findall(r"<(?:PersonBirthDate|PersonDeathDate)>(.*?)<", text)
    assert len(raw) == 664
    assert_no_raw(extract, raw + births)


def test_the_2024_small_return() -> None:
    extract = read(SMALL_2024)
    assert_shapes(extract)
    # Year 2023 but a 2024 reference date: the scope is the year, as_of the reference date.
    assert (extract.la_code, extract.scope, extract.as_of) == ("201", "2023", date(2024, 3, 31))
    a = "CINdetails/Assessments/"
    s, c = "CINdetails/Section47/", "CINdetails/ChildProtectionPlans/"
    assert got(extract) == [
        ("warning", "census.reference_date", None, "ReferenceDate", "2024-03-31"),
        (
            "warning",
            "census.period",
            2,
            "CINdetails/CINreferralDate",
            "2024-10-24 is after 2024-03-31",
        ),
        (
            "error",
            "date.order",
            1,
            f"{a}AssessmentAuthorisationDate",
            "2020-09-19 is before 2028-04-28",
        ),
        (
            "warning",
            "date.episode",
            2,
            f"{a}AssessmentActualStartDate",
            "2023-12-25 is before 2024-10-24",
        ),
        (
            "warning",
            "date.episode",
            1,
            f"{a}AssessmentActualStartDate",
            "2028-04-28 is after 2023-02-27",
        ),
        ("warning", "date.episode", 1, f"{s}S47ActualStartDate", "2022-06-02 is before 2022-10-06"),
        ("warning", "date.episode", 1, f"{s}DateOfInitialCPC", "2022-06-17 is before 2022-10-06"),
        ("warning", "date.episode", 1, f"{c}CPPstartDate", "2022-02-17 is before 2022-10-06"),
        ("warning", "date.episode", 1, f"{c}CPPendDate", "2023-03-14 is after 2023-02-27"),
    ]
    first, second = (
        P.one(ns("201", "person"), "DfEX0000001"),
        P.one(ns("201", "person"), "child_fails_assessments"),
    )
    # Sex is the 2024 item: the numeric code of the first child, the letter of the second (the
    # DfE's own F/M/U coding from the 2024 to 2025 specification) are both read, and stored in
    # the one spelling every source shares (parse.sex).
    assert extract.frames["children"].rows() == [
        (first, "2015-03", "M", "WBRI"),
        (second, "2023-09", "M", "WBRI"),
    ]
    assert extract.frames["disabilities"].rows() == [
        (first, "HAND"),
        (first, "HEAR"),
        (second, "NONE"),
    ]
    referrals = extract.frames["referrals"].select("child_id", "referral_date", "close_reason")
    assert referrals.rows() == [
        (first, date(2022, 10, 6), "RC1"),
        (second, date(2024, 10, 24), "RC9"),
    ]
    assessments = extract.frames["assessments"].select("child_id", "start_date", "auth_date")
    assert assessments.rows() == [
        (first, date(2028, 4, 28), date(2020, 9, 19)),
        (second, date(2023, 12, 25), date(2024, 1, 27)),
    ]
    # The second child's FactorsIdentifiedAtAssessment is empty.
    assert extract.frames["assessment_factors"].get_column("factor").to_list() == ["1C", "RB", "6B"]
    assert extract.frames["icpcs"].height == 2 and extract.frames["cp_reviews"].height == 1
    assert_no_raw(extract, ["DfEX0000001", "child_fails_assessments", "2015-03-27", "2023-09-25"])


# --- identifiers -------------------------------------------------------------------------------


def test_ids_are_the_same_in_two_reads() -> None:
    one, two = read(SAMPLE_2022), read(SAMPLE_2022)
    for table, frame in one.frames.items():
        assert frame.equals(two.frames[table]), table


def test_one_episode_keeps_its_ids_across_years(tmp_path: Path) -> None:
    work = assessment("2022-06-05", "2022-07-01")
    earlier = message(child(cin("2022-06-01", extra=work), child_id=" C7 "))
    later = message(
        child(
            cin("2022-06-01", close="2023-06-30", extra=work),
            cin("2023-09-01", nfa="true"),
            child_id="C7",
            sex="<Sex>M</Sex>",
        ),
        head=header("2024", "2024-03-31"),
    )
    a = read_text(tmp_path, earlier)
    b = read(write(tmp_path, "later.xml", later))
    assert_clean(a)
    assert_clean(b)
    assert (a.scope, b.scope) == ("2023", "2024")
    ref_a, ref_b = a.frames["referrals"], b.frames["referrals"]
    assert ref_a.get_column("referral_id")[0] == ref_b.get_column("referral_id")[0]
    assert ref_a.get_column("referral_id")[0] == P.one(ns("826", "referral"), "C7|2022-06-01")
    assert ref_b.get_column("referral_id").n_unique() == 2
    assert (
        a.frames["children"]
        .get_column("child_id")
        .equals(b.frames["children"].get_column("child_id"))
    )
    assert (
        a.frames["assessments"]
        .get_column("assessment_id")
        .equals(b.frames["assessments"].get_column("assessment_id"))
    )


def test_ids_are_namespaced_by_authority(tmp_path: Path) -> None:
    one = read_text(tmp_path, message(head=header(lea="826")))
    other = read_text(tmp_path, message(head=header(lea="827")))
    assert (
        one.frames["referrals"].get_column("referral_id")[0]
        != (other.frames["referrals"].get_column("referral_id")[0])
    )


# --- items -------------------------------------------------------------------------------------


def test_a_clean_return_with_every_record(tmp_path: Path) -> None:
    factors = (
        "<FactorsIdentifiedAtAssessment><AssessmentFactors>3A</AssessmentFactors>"
        "<AssessmentFactors>21</AssessmentFactors></FactorsIdentifiedAtAssessment>"
    )
    reviews = "<Reviews><CPPreviewDate>2022-09-01</CPPreviewDate><CPPreviewDate>2023-02-01</CPPreviewDate></Reviews>"
    extra = (
        "<DateOfInitialCPC>2022-07-20</DateOfInitialCPC>"
        + assessment("2022-06-02", "2022-06-30", factors)
        + "<CINPlanDates><CINPlanStartDate>2022-07-01</CINPlanStartDate></CINPlanDates>"
        + s47("2022-06-03", target="2022-06-24")
        + cpp("2022-07-20", previous="2", reviews=reviews)
    )
    disabled = "<Disabilities><Disability>MOB</Disability></Disabilities>"
    unborn = "<ExpectedPersonBirthDate>2023-05-01</ExpectedPersonBirthDate>"
    text = message(
        child(cin(extra=extra), characteristics=disabled),
        # Disabilities directly in Child, as some suppliers write it; an unborn child.
        child(
            cin("2023-01-10", nfa="1"),
            disabled.replace("MOB", "AUT"),
            child_id="C2",
            born=unborn,
            sex="<Sex>u</Sex>",
        ),
    )
    extract = read_text(tmp_path, text)
    assert_clean(extract)
    frames = extract.frames
    assert frames["children"].select("birth_month", "sex").rows() == [
        ("2015-05", "M"),
        ("2023-05", "U"),
    ]
    assert frames["disabilities"].get_column("disability").to_list() == ["MOB", "AUT"]
    assert frames["referrals"].get_column("nfa").to_list() == [False, True]
    assert frames["assessment_factors"].get_column("factor").to_list() == ["3A", "21"]
    assert frames["cin_plans"].select("start_date", "end_date").rows() == [(date(2022, 7, 1), None)]
    # An S47 with only a target date still has its conference row (not held yet).
    icpcs = frames["icpcs"].select("s47_id", "icpc_date", "target_date")
    s47_id = frames["s47_enquiries"].get_column("s47_id")[0]
    assert icpcs.rows() == [(s47_id, None, date(2022, 6, 24)), (None, date(2022, 7, 20), None)]
    assert frames["cp_plans"].select("previous_plans", "latest_category").rows() == [(2, "EMO")]
    assert frames["cp_reviews"].get_column("review_date").to_list() == [
        date(2022, 9, 1),
        date(2023, 2, 1),
    ]
    assert_no_raw(extract, ["C1", "C2", "A123456789012", "2015-05-17", "2023-05-01"])


def test_a_namespaced_return_is_read(tmp_path: Path) -> None:
    text = message().replace("<Message>", "<Message xmlns='http://www.dfe.gov.uk/CIN'>")
    extract = read_text(tmp_path, text)
    assert_clean(extract)
    assert extract.frames["referrals"].height == 1


def test_cin_episodes_end_the_day_they_close(tmp_path: Path) -> None:
    # Referred again on the closure day; referrals with no further action are one day long.
    kid = child(
        cin("2022-01-01", close="2022-03-01"),
        cin("2022-03-01", nfa="true"),
        cin("2022-03-02", nfa="true"),
        cin("2022-04-01"),
    )
    assert_clean(read_text(tmp_path, message(kid)))


# --- rules, one hand-built return each ---------------------------------------------------------

C, A = "CINdetails/", "CINdetails/Assessments/"
CASES = {
    "no LAchildID": (
        child(child_id=""),
        ("error", "required", 2, "ChildIdentifiers/LAchildID", None),
    ),
    "no referral date": (
        child(cin("")),
        ("error", "required", 2, f"{C}CINreferralDate", None),
    ),
    "no CPP start date": (
        child(cin(extra=cpp(""))),
        ("error", "required", 2, f"{C}ChildProtectionPlans/CPPstartDate", None),
    ),
    "not a date": (
        child(cin("2022-13-01")),
        ("error", "type.date", 2, f"{C}CINreferralDate", "2022-13-01"),
    ),
    "a birth date is shown by its shape": (
        child(born="<PersonBirthDate>17/5/15</PersonBirthDate>"),
        ("error", "type.date", 2, "ChildIdentifiers/PersonBirthDate", "99/9/99"),
    ),
    "a date out of range": (
        child(cin("1899-12-31")),
        ("error", "range", 2, f"{C}CINreferralDate", "1899-12-31"),
    ),
    "closed before referred (8630)": (
        child(cin("2022-06-01", close="2022-05-01")),
        ("error", "date.order", 2, f"{C}CINclosureDate", "2022-05-01 is before 2022-06-01"),
    ),
    "assessment authorised before it started (8608)": (
        child(cin(extra=assessment("2022-06-10", "2022-06-05"))),
        (
            "error",
            "date.order",
            2,
            f"{A}AssessmentAuthorisationDate",
            "2022-06-05 is before 2022-06-10",
        ),
    ),
    "CIN plan ends before it starts (4011)": (
        child(
            cin(
                extra="<CINPlanDates><CINPlanStartDate>2022-07-01</CINPlanStartDate>"
                "<CINPlanEndDate>2022-06-30</CINPlanEndDate></CINPlanDates>"
            )
        ),
        (
            "error",
            "date.order",
            2,
            f"{C}CINPlanDates/CINPlanEndDate",
            "2022-06-30 is before 2022-07-01",
        ),
    ),
    "CPP ends before it starts (8925)": (
        child(cin(extra=cpp("2022-07-01", "2022-06-30"))),
        (
            "error",
            "date.order",
            2,
            f"{C}ChildProtectionPlans/CPPendDate",
            "2022-06-30 is before 2022-07-01",
        ),
    ),
    "conference before its S47 enquiry (8615)": (
        child(cin(extra=s47("2022-06-10", "2022-06-09"))),
        (
            "error",
            "date.order",
            2,
            f"{C}Section47/DateOfInitialCPC",
            "2022-06-09 is before 2022-06-10",
        ),
    ),
    "GenderCurrent as a letter": (
        child(sex="<GenderCurrent>M</GenderCurrent>"),
        ("error", "code.unknown", 2, "ChildIdentifiers/GenderCurrent", "M"),
    ),
    "Sex not a code": (
        child(sex="<Sex>Male</Sex>"),
        ("error", "code.unknown", 2, "ChildIdentifiers/Sex", "Male"),
    ),
    "referred after the reference date (8600)": (
        child(cin("2023-04-01")),
        ("warning", "census.period", 2, f"{C}CINreferralDate", "2023-04-01 is after 2023-03-31"),
    ),
    "overlapping episodes (8820)": (
        child(cin("2022-01-01", close="2022-03-01"), cin("2022-02-01")),
        (
            "error",
            "overlap",
            2,
            f"{C}CINreferralDate",
            "2022-02-01; an earlier episode is open until 2022-03-01",
        ),
    ),
    "a second episode while one is open": (
        child(cin("2022-01-01"), cin("2022-05-01", close="2022-06-01")),
        (
            "error",
            "overlap",
            2,
            f"{C}CINreferralDate",
            "2022-05-01; an earlier episode is still open",
        ),
    ),
    "one LAchildID in two Child elements (8510)": (
        child(child_id="C0"),
        ("error", "duplicate.key", 2, "ChildIdentifiers/LAchildID", "A9"),
    ),
    "two episodes on one referral date": (
        child(cin("2022-01-01", nfa="true"), cin("2022-01-01", nfa="true")),
        ("error", "duplicate.key", 2, f"{C}CINreferralDate", "2022-01-01"),
    ),
    "two assessments on one start date": (
        child(cin(extra=assessment("2022-06-02") + assessment("2022-06-02", "2022-06-09"))),
        ("error", "duplicate.key", 2, f"{A}AssessmentActualStartDate", "2022-06-02"),
    ),
    "an assessment before the referral (1103)": (
        child(cin(extra=assessment("2022-05-31"))),
        (
            "warning",
            "date.episode",
            2,
            f"{A}AssessmentActualStartDate",
            "2022-05-31 is before 2022-06-01",
        ),
    ),
    "a CIN plan after the closure (8565)": (
        child(
            cin(
                close="2022-08-01",
                extra="<CINPlanDates><CINPlanStartDate>2022-07-01</CINPlanStartDate>"
                "<CINPlanEndDate>2022-08-02</CINPlanEndDate></CINPlanDates>",
            )
        ),
        (
            "warning",
            "date.episode",
            2,
            f"{C}CINPlanDates/CINPlanEndDate",
            "2022-08-02 is after 2022-08-01",
        ),
    ),
    "one conference recorded twice (2884)": (
        child(
            cin(
                extra="<DateOfInitialCPC>2022-06-20</DateOfInitialCPC>"
                + s47("2022-06-10", "2022-06-20")
            )
        ),
        ("warning", "icpc.twice", 2, f"{C}DateOfInitialCPC", "2022-06-20"),
    ),
    "not a flag": (
        child(cin(nfa="maybe")),
        ("error", "type.flag", 2, f"{C}ReferralNFA", "maybe"),
    ),
    "previous plans not a number": (
        child(cin(extra=cpp("2022-07-01", previous="ten"))),
        ("error", "type.number", 2, f"{C}ChildProtectionPlans/NumberOfPreviousCPP", "ten"),
    ),
    "previous plans below zero": (
        child(cin(extra=cpp("2022-07-01", previous="-1"))),
        ("error", "range", 2, f"{C}ChildProtectionPlans/NumberOfPreviousCPP", "-1"),
    ),
    "an item given twice": (
        child(cin(extra="<PrimaryNeedCode>N2</PrimaryNeedCode>")),
        ("error", "xml.repeated", 2, f"{C}PrimaryNeedCode", None),
    ),
    "GenderCurrent and Sex both given": (
        child(sex="<GenderCurrent>1</GenderCurrent><Sex>M</Sex>"),
        ("error", "xml.repeated", 2, "ChildIdentifiers/Sex", None),
    ),
    "an unknown element": (
        child(identifiers="<Nickname>Jo</Nickname>"),
        ("warning", "xml.unknown", 2, "ChildIdentifiers/Nickname", None),
    ),
    "a code too long for its column": (
        child(cin().replace(">1A<", f">{'X' * 70}<")),
        ("warning", "length", 2, f"{C}ReferralSource", "X" * 70),
    ),
}


@pytest.mark.parametrize(("kid", "expected"), CASES.values(), ids=CASES.keys())
def test_each_rule(
    tmp_path: Path, kid: str, expected: tuple[str, str, int, str, str | None]
) -> None:
    extract = read_text(tmp_path, message(child(child_id="C0"), kid))
    assert got(extract) == [expected]
    assert_shapes(extract)
    assert_no_raw(extract, ["C0", "A123456789012", "2015-05-17"])


def test_a_conference_recorded_twice_is_kept_once(tmp_path: Path) -> None:
    kid = child(
        cin(
            extra="<DateOfInitialCPC>2022-06-20</DateOfInitialCPC>"
            + s47("2022-06-10", "2022-06-20")
        )
    )
    icpcs = read_text(tmp_path, message(kid)).frames["icpcs"]
    assert icpcs.select("icpc_date", pl.col("s47_id").is_not_null()).rows() == [
        (date(2022, 6, 20), True)
    ]


def test_unknown_elements_are_warned_once_per_path(tmp_path: Path) -> None:
    odd = child(identifiers="<Nickname>Jo</Nickname>")
    text = message(odd, odd.replace("C1", "C2")).replace("</Children>", "<Note/></Children>")
    extract = read_text(tmp_path, text.replace("</Message>", "<Extra/></Message>"))
    assert [(f.rule, f.row, f.column) for f in extract.findings] == [
        ("xml.unknown", None, "Extra"),
        ("xml.unknown", None, "Note"),
        ("xml.unknown", 1, "ChildIdentifiers/Nickname"),
    ]
    assert "2 child(ren)" in list(extract.findings)[2].message


# --- the header and the structure --------------------------------------------------------------


def test_the_authority_comes_from_the_header(tmp_path: Path) -> None:
    assert_clean(read_text(tmp_path, message(), la_code="826"))
    extract = read_text(tmp_path, message(), la_code="301")
    assert got(extract) == [("error", "la.mismatch", None, "LEA", "826")]
    assert extract.la_code == "826"


@pytest.mark.parametrize(
    ("head", "expected", "scope", "as_of"),
    [
        (header(lea=""), ("error", "required", None, "LEA", None), "2023", date(2023, 3, 31)),
        (header(year=""), ("error", "required", None, "Year", None), "", date(2023, 3, 31)),
        (
            header(year="20x3"),
            ("error", "type.number", None, "Year", "20x3"),
            "",
            date(2023, 3, 31),
        ),
        (
            header(year="2016", reference="2016-03-31"),
            ("warning", "census.year", None, "Year", "2016"),
            "2016",
            date(2016, 3, 31),
        ),
        (
            header(reference="2023-09-30"),
            ("warning", "census.reference_date", None, "ReferenceDate", "2023-09-30"),
            "2023",
            date(2023, 9, 30),
        ),
        (
            header(reference="31/03/2023"),
            ("error", "type.date", None, "ReferenceDate", "31/03/2023"),
            "2023",
            date(2023, 3, 31),
        ),
    ],
)
def test_header_items(
    tmp_path: Path,
    head: str,
    expected: tuple[str, str, int | None, str | None, str | None],
    scope: str,
    as_of: date,
) -> None:
    extract = read_text(tmp_path, message(child(cin("2015-06-01")), head=head), la_code="826")
    assert got(extract) == [expected]
    assert (extract.scope, extract.as_of) == (scope, as_of)


def test_without_a_reference_date_the_census_ends_on_31_march(tmp_path: Path) -> None:
    extract = read_text(tmp_path, message(head=header(reference=None)))
    assert_clean(extract)
    assert (extract.scope, extract.as_of) == ("2023", date(2023, 3, 31))


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("<Other/>", None),
        ("<Message><Children/></Message>", None),
        (message(head=header(coll="CSWW")), None),
        (message(head=header().replace("<Collection>CIN</Collection>", "")), None),
        (f"<Message>{header()}</Message>", "Children"),
        (f"<Message>{header()}<Children></Children></Message>", "Child"),
    ],
    ids=["not a message", "no header", "a CSWW return", "no collection", "no children", "no child"],
)
def test_structure_errors(tmp_path: Path, text: str, column: str | None) -> None:
    extract = read_text(tmp_path, text)
    assert [(f.rule, f.column) for f in extract.findings] == [("xml.structure", column)]
    assert_shapes(extract)
    assert sum(extract.row_counts().values()) == 0


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Message>&lol3;</Message>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Message>&xxe;</Message>"""
DTD = """<?xml version="1.0"?><!DOCTYPE Message SYSTEM "http://example.org/cin.dtd">
<Message/>"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL, DTD], ids=["laughs", "xxe", "dtd"])
def test_dtds_and_entities_are_forbidden(tmp_path: Path, text: str) -> None:
    extract = read_text(tmp_path, text)
    assert [f.rule for f in extract.findings] == ["xml.forbidden"]
    assert_shapes(extract)


def test_truncated_and_damaged_xml_is_malformed(tmp_path: Path) -> None:
    text = SAMPLE_2022.read_text()
    (finding,) = read_text(tmp_path, text[: len(text) // 2]).findings
    assert finding.rule == "xml.malformed" and "line" in finding.message
    assert [f.rule for f in read_text(tmp_path, b"\xff\xfe<not xml").findings] == ["xml.malformed"]
    assert [f.rule for f in read_text(tmp_path, "").findings] == ["xml.malformed"]


def test_file_problems(tmp_path: Path) -> None:
    assert [f.rule for f in read(tmp_path / "absent.xml").findings] == ["file.missing"]
    zipped = read_text(tmp_path, b"PK\x03\x04rest")
    assert [f.rule for f in zipped.findings] == ["file.zip"]
    big = read_cin_census(SAMPLE_2022, la_code=None, pseudonymiser=P, max_file_bytes=100)
    assert [f.rule for f in big.findings] == ["file.too_large"]
    assert_shapes(big)


# --- the rule catalogue ------------------------------------------------------------------------


def test_the_new_rules_are_catalogue_entries() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    # Merged into the catalogue, unchanged.
    assert all(rules.RULES[r.id] is r for r in RULES)
    for rule in RULES:
        assert re.fullmatch(r"[a-z_.]+", rule.id) and rule.summary and rule.source
        assert rule.severities == ("warning",)


# --- never raises ------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` after a few byte flips, insertions, deletions and a truncation."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=4) | st.sampled_from([b"<", b"&", b"/>", b"2"])
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 12))]
        else:
            del data[at:]
    return bytes(data)


FIXTURES = [SAMPLE_2022.read_bytes(), SMALL_2024.read_bytes()]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIXTURES).flatmap(mutated))
def test_a_mutated_return_never_raises(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cin.xml"
        path.write_bytes(data)
        extract = read_cin_census(path, la_code=None, pseudonymiser=P, max_file_bytes=1_000_000)
    assert isinstance(extract, Extract) and extract.kind == "cin-census"
    assert_shapes(extract)
    assert {f.rule for f in extract.findings} <= ALL_RULES
    assert_no_raw(extract, ["DfEX0000001", "A123456789123", "X98765432123B"])
