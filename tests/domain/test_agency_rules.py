"""The DfE agency rules (domain/agency_rules.py), each against hand-worked examples.

Sources: DfE statutory guidance "Child and family social workers: agency rules", in force from
31 October 2024 (definitions.md §2; practice.md §3). Each test names the rule it works through.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseloads.domain import agency_rules as ar

SE = "South East"
#: A worker who meets every rule: engaged 6 January 2025 in a South East authority.
GOOD: dict[str, Any] = {
    "worker_id": "w",
    "agency": "Acme",
    "role": "social_worker",
    "start_date": date(2025, 1, 6),
    "end_date": None,
    "hourly_rate": 39.5,
    "qualified_date": date(2018, 7, 1),
    "months_post_qualifying_la_experience": 60,
    "last_substantive_employer_region": SE,
    "last_substantive_end_date": date(2024, 6, 30),
    "references_received": 2,
    "cooling_off_exception": None,
}
CAPS = pl.DataFrame(
    [
        (SE, "social_worker", 40.0, date(2024, 10, 31)),
        (SE, "social_worker", 42.0, date(2026, 4, 1)),
        ("London", "social_worker", 50.0, date(2024, 10, 31)),
        (SE, "team_manager", 60.0, date(2025, 4, 1)),
    ],
    schema=ar.CAP_SCHEMA,
    orient="row",
)
AS_OF = date(2025, 11, 1)


def placements(*changes: dict[str, Any]) -> pl.DataFrame:
    rows = [{**GOOD, "worker_id": f"w{i}", **c} for i, c in enumerate(changes or ({},))]
    return pl.DataFrame(rows, schema=ar.PLACEMENT_SCHEMA)


def one(frame: pl.DataFrame) -> dict[str, Any]:
    (row,) = frame.to_dicts()
    return row


def outcome(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["status"], row["value"], row["limit"], row["missing"])


# --- minimum post-qualified experience (definitions.md §2 rule 3; practice.md §3.2) -------------


def experience(as_of: date = AS_OF, **change: Any) -> dict[str, Any]:
    return one(ar.check_experience(placements(change), as_of))


def test_three_years_is_thirty_six_months_and_no_fewer() -> None:
    assert outcome(experience(months_post_qualifying_la_experience=36)) == (
        "pass",
        36,
        36,
        None,
    )
    short = experience(months_post_qualifying_la_experience=35)
    assert outcome(short) == ("breach", 35, 36, None)
    assert short["detail"] == (
        "35 months of post-qualifying experience in direct LA employment; 36 required"
    )
    assert short["guidance"].endswith("(definitions.md §2 rule 3)")


def test_experience_cannot_exceed_the_time_since_qualifying() -> None:
    # Qualified 1 March 2023, engaged 6 January 2025: 22 whole months, whatever is recorded.
    row = experience(qualified_date=date(2023, 3, 1), months_post_qualifying_la_experience=40)
    assert outcome(row) == ("breach", 22, 36, None)
    assert "only 22 months before the assignment began on 2025-01-06" in row["detail"]


def test_a_recent_qualification_is_a_breach_even_without_the_months() -> None:
    row = experience(qualified_date=date(2023, 3, 1), months_post_qualifying_la_experience=None)
    assert outcome(row) == ("breach", 22, 36, None)


def test_without_the_months_an_older_qualification_proves_nothing() -> None:
    # Agency time does not count (practice.md §3.2), so years since qualifying are not enough.
    months = "months_post_qualifying_la_experience"
    # Qualified 1 July 2018, engaged 6 January 2025: 78 months since, but how many in direct LA
    # employment is not known.
    row = experience(months_post_qualifying_la_experience=None)
    assert outcome(row) == ("could_not_check", None, 36, months)
    assert outcome(experience(months_post_qualifying_la_experience=None, qualified_date=None)) == (
        "could_not_check",
        None,
        36,
        months,
    )


def test_whole_months_count_once_the_day_is_reached() -> None:
    frame = pl.DataFrame(
        {"q": [date(2021, 3, 15)] * 2, "s": [date(2024, 3, 14), date(2024, 3, 15)]}
    )
    months = frame.select(ar.whole_months(pl.col("q"), pl.col("s"))).to_series().to_list()
    assert months == [35, 36]


def test_a_legacy_assignment_is_judged_from_the_end_of_the_transition() -> None:
    # definitions.md §2 "Status and dates": legacy assignments had to comply by 1 October 2025.
    legacy = {"start_date": date(2024, 6, 3), "months_post_qualifying_la_experience": 30}
    assert experience(date(2025, 9, 30), **legacy)["status"] == "not_applicable"
    assert experience(date(2025, 10, 1), **legacy)["status"] == "breach"


# --- cooling-off period (definitions.md §2 rule 4; practice.md §3.5) ----------------------------


def cooling(la_region: str | None = SE, **change: Any) -> dict[str, Any]:
    return one(ar.check_cooling_off(placements(change), la_region))


def test_engaged_within_three_months_in_the_same_region_is_a_breach() -> None:
    # Left 31 December 2024; the period ends 31 March 2025 (90 days later).
    left: dict[str, Any] = {"last_substantive_end_date": date(2024, 12, 31)}
    row = cooling(start_date=date(2025, 3, 30), **left)
    assert outcome(row) == ("breach", 89, 90, None)
    assert row["detail"] == (
        "left a substantive post on 2024-12-31 and was engaged on 2025-03-30 in the same region "
        "(South East), before the cooling-off period ended on 2025-03-31"
    )
    assert outcome(cooling(start_date=date(2025, 3, 31), **left)) == ("pass", 90, 90, None)


def test_the_period_from_a_month_end_ends_at_a_month_end() -> None:
    left: dict[str, Any] = {"last_substantive_end_date": date(2024, 11, 30)}  # to 28 Feb 2025
    assert cooling(start_date=date(2025, 2, 27), **left)["status"] == "breach"
    assert cooling(start_date=date(2025, 2, 28), **left)["status"] == "pass"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"last_substantive_employer_region": "London"}, "in another region (London)"),
        ({"last_substantive_employer_region": "Wales"}, "in another region (Wales)"),
        ({"cooling_off_exception": "redundancy"}, "an exception applies: redundancy"),
        ({"cooling_off_exception": "probation"}, "an exception applies: probation"),
    ],
)
def test_the_exceptions(change: dict[str, Any], why: str) -> None:
    # Exceptions (practice.md §3.5): a different region, redundancy, leaving during probation.
    within: dict[str, Any] = {
        "start_date": date(2025, 1, 6),
        "last_substantive_end_date": date(2024, 12, 31),
    }
    row = cooling(**within, **change)
    assert row["status"] == "pass" and why in row["detail"]


def test_cooling_off_without_the_facts_it_needs() -> None:
    within: dict[str, Any] = {
        "start_date": date(2025, 1, 6),
        "last_substantive_end_date": date(2024, 12, 31),
    }
    assert cooling(last_substantive_end_date=None)["missing"] == "last_substantive_end_date"
    assert cooling(last_substantive_end_date=None)["status"] == "could_not_check"
    row = cooling(**within, last_substantive_employer_region=None)
    assert (row["status"], row["missing"]) == (
        "could_not_check",
        "last_substantive_employer_region",
    )
    row = cooling(None, **within)
    assert (row["status"], row["missing"]) == ("could_not_check", "the authority's region")
    # Long enough ago, the region does not matter.
    assert cooling(None, last_substantive_employer_region=None)["status"] == "pass"


def test_an_engagement_before_the_rules_is_not_judged() -> None:
    row = cooling(start_date=date(2024, 10, 30), last_substantive_end_date=date(2024, 9, 30))
    assert row["status"] == "not_applicable"
    row = cooling(start_date=date(2024, 10, 31), last_substantive_end_date=date(2024, 9, 30))
    assert row["status"] == "breach"


# --- references (definitions.md §2 rule 6; practice.md §3.6) -----------------------------------


@pytest.mark.parametrize(
    ("received", "status"),
    [(2, "pass"), (3, "pass"), (1, "breach"), (0, "breach"), (None, "could_not_check")],
)
def test_two_practice_references(received: int | None, status: str) -> None:
    row = one(ar.check_references(placements({"references_received": received}), AS_OF))
    assert (row["status"], row["value"], row["limit"]) == (status, received, 2)
    assert row["missing"] == ("references_received" if received is None else None)


# --- regional price caps (definitions.md §2 rule 1; practice.md §3.1) ---------------------------


def cap(as_of: date = AS_OF, la_region: str | None = SE, **change: Any) -> dict[str, Any]:
    return one(ar.check_price_cap(placements(change), CAPS, la_region, as_of))


def test_a_rate_above_the_regions_cap_is_a_breach() -> None:
    row = cap(hourly_rate=41.0)
    assert outcome(row) == ("breach", 41.0, 40.0, None)
    assert row["detail"] == (
        "£41.00 an hour is £1.00 (2.5%) above the South East cap of £40.00 for social worker in "
        "force from 2024-10-31"
    )
    assert outcome(cap(hourly_rate=40.0)) == ("pass", 40.0, 40.0, None)


def test_rates_are_compared_in_whole_pence() -> None:
    assert cap(hourly_rate=40.004)["status"] == "pass"
    assert cap(hourly_rate=40.01)["status"] == "breach"


def test_the_cap_in_force_is_the_latest_on_or_before_the_date() -> None:
    assert cap(date(2026, 3, 31), hourly_rate=41.0)["limit"] == 40.0
    assert outcome(cap(date(2026, 4, 1), hourly_rate=41.0)) == ("pass", 41.0, 42.0, None)


def test_another_regions_cap_is_not_used() -> None:
    # £45 is within London's £50 but above the South East's £40.
    assert cap(hourly_rate=45.0)["status"] == "breach"
    assert cap(la_region="London", hourly_rate=45.0)["status"] == "pass"


def test_a_price_cap_check_without_the_facts_it_needs() -> None:
    no_cap = cap(role="advanced_practitioner")
    assert (no_cap["status"], no_cap["missing"]) == (
        "could_not_check",
        "price cap (South East, advanced_practitioner)",
    )
    no_rate = cap(hourly_rate=None)
    assert (no_rate["status"], no_rate["missing"]) == ("could_not_check", "hourly_rate")
    nowhere = cap(la_region=None)
    assert (nowhere["status"], nowhere["missing"]) == ("could_not_check", "the authority's region")


def test_a_cap_binds_new_assignments_then_every_assignment_from_october_2025() -> None:
    before_cap: dict[str, Any] = {
        "role": "team_manager",
        "start_date": date(2025, 1, 6),
        "hourly_rate": 70.0,
    }
    assert cap(date(2025, 9, 30), **before_cap)["status"] == "not_applicable"
    assert cap(date(2025, 10, 1), **before_cap)["status"] == "breach"
    after_cap: dict[str, Any] = {**before_cap, "start_date": date(2025, 4, 1)}
    assert cap(date(2025, 6, 1), **after_cap)["status"] == "breach"


def test_caps_in_force() -> None:
    in_force = ar.caps_in_force(CAPS, SE, date(2026, 4, 1))
    assert sorted(in_force.rows()) == [
        ("social_worker", 42.0, date(2026, 4, 1)),
        ("team_manager", 60.0, date(2025, 4, 1)),
    ]


# --- all four, on a date -------------------------------------------------------------------------


def test_only_assignments_running_on_the_date_are_checked() -> None:
    frame = placements(
        {"end_date": date(2025, 10, 31)},  # ended the day before
        {"start_date": date(2025, 11, 2)},  # starts the day after
        {"end_date": date(2025, 11, 1)},  # last day
        {"start_date": date(2025, 11, 1)},  # first day
    )
    results = ar.check_agency_rules(frame, CAPS, la_region=SE, as_of=AS_OF)
    assert sorted(set(results.get_column("worker_id").to_list())) == ["w2", "w3"]
    assert results.height == 8 and results.schema == pl.Schema(ar.RESULT_SCHEMA)


def test_breaches_come_first_and_every_check_is_listed() -> None:
    frame = placements({}, {"references_received": 1, "hourly_rate": None})
    results = ar.check_agency_rules(frame, CAPS, la_region=SE, as_of=AS_OF)
    assert results.select("worker_id", "rule", "status").rows() == [
        ("w1", "references", "breach"),
        ("w1", "price_cap", "could_not_check"),
        ("w0", "experience", "pass"),
        ("w0", "cooling_off", "pass"),
        ("w0", "references", "pass"),
        ("w0", "price_cap", "pass"),
        ("w1", "experience", "pass"),
        ("w1", "cooling_off", "pass"),
    ]


def test_agency_workers_in_the_staff_extract_without_facts_cannot_be_checked() -> None:
    staff = pl.DataFrame(
        {
            "worker_id": ["w0", "x9"],
            "role": ["social_worker", "senior_practitioner"],
            "start_date": [date(2025, 1, 6), date(2025, 5, 1)],
            "end_date": [None, None],
        },
        schema={
            "worker_id": pl.String,
            "role": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
        },
    )
    results = ar.check_agency_rules(
        placements(), CAPS, la_region=SE, as_of=AS_OF, agency_staff=staff
    )
    lacking = results.filter(pl.col("worker_id") == "x9")
    assert lacking.select("rule", "status", "missing").rows() == [
        (rule, "could_not_check", ar.NO_FACTS) for rule in ar.CHECKS
    ]
    assert results.filter(pl.col("worker_id") == "w0").height == 4


def test_before_the_rules_came_into_force_nothing_binds() -> None:
    early = placements({"start_date": date(2024, 1, 8), "references_received": 0})
    results = ar.check_agency_rules(early, CAPS, la_region=SE, as_of=date(2024, 10, 30))
    assert set(results.get_column("status")) == {"not_applicable"}


# --- a missing value is never a pass or a breach -------------------------------------------------

_dates = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))
_optional_months = st.none() | st.integers(min_value=0, max_value=300)


@settings(max_examples=200, deadline=None)
@given(
    start=_dates,
    as_of=_dates,
    months=_optional_months,
    qualified=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2027, 1, 1)),
    region=st.none() | st.sampled_from([SE, "London", "Wales"]),
    left=st.none() | _dates,
    references=st.none() | st.integers(min_value=0, max_value=4),
    rate=st.none() | st.floats(min_value=20, max_value=80),
    role=st.sampled_from(list(ar.JOB_TYPES)),
)
def test_missing_facts_never_pass(
    start: date,
    as_of: date,
    months: int | None,
    qualified: date | None,
    region: str | None,
    left: date | None,
    references: int | None,
    rate: float | None,
    role: str,
) -> None:
    frame = placements(
        {
            "start_date": start,
            "months_post_qualifying_la_experience": months,
            "qualified_date": qualified,
            "last_substantive_employer_region": region,
            "last_substantive_end_date": left,
            "references_received": references,
            "hourly_rate": rate,
            "role": role,
        }
    )
    results = ar.check_agency_rules(frame, CAPS, la_region=SE, as_of=as_of)
    status = dict(zip(results["rule"], results["status"], strict=True))
    assert set(status.values()) <= set(ar.STATUSES)
    assert len(status) == (4 if start <= as_of else 0)
    if not status:
        return
    if months is None and qualified is None:
        assert status["experience"] in ("could_not_check", "not_applicable")
    if months is None:
        assert status["experience"] != "pass"
    if left is None:
        assert status["cooling_off"] in ("could_not_check", "not_applicable")
    if references is None:
        assert status["references"] in ("could_not_check", "not_applicable")
    if rate is None:
        assert status["price_cap"] in ("could_not_check", "not_applicable")
    for row in results.iter_rows(named=True):
        assert (row["status"] == "could_not_check") == (row["missing"] is not None)
