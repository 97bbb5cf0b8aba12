"""The agency rules extracts: agency.csv (the facts of each agency assignment) and price_caps.csv.

``agency.csv`` holds every agency assignment of staff.csv that ran at some time in the two years
to ``today``, under the same ``worker_ref``, with the facts the DfE agency rules are checked
against (definitions.md §2). Most assignments keep the rules; a realistic handful do not, and
some facts are not recorded, so ``caseloads agency-check`` has something to say:

- experience: the worker's post-qualifying LA experience is most of the time since qualifying
  (and at least 3 years); for about 1 in 12 it is 18-35 months;
- cooling-off: about 1 in 10 left a substantive post 2 weeks to 3 months before the assignment,
  mostly in the council's own region, a quarter of them through redundancy (an exception);
- references: two or three, one for about 1 in 20;
- the hourly rate: 86-100% of the cap for the job type in the council's region, 2-12% above it
  for about 1 in 10;
- each fact is missing for about 1 in 20, and about 1 worker in 25 has no row at all.

``price_caps.csv`` holds the caps of the council's region (every region's when the region of its
authority number is not known) for the five core job types, from 1 April 2025 (the draft
operational guidance's date for new assignments) with a 3% uplift from 1 April 2026. The actual
caps were not published in a retrievable form (practice.md §3.1), so these are illustrative:
lowest in the North East, highest in London, with the spread between the highest and lowest
region that practice.md §3.1 reports for each job type (37% for social workers and senior social
workers, 28% advanced practitioners, 19% team managers, 25% IROs and CP chairs).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from caseloads.domain.agency_rules import ENGLISH_REGIONS, OUTSIDE_ENGLAND
from caseloads.synthetic.dates import OPEN, StrArray, to_date
from caseloads.synthetic.establishment import ROLE_NAME
from caseloads.synthetic.registry import Registry
from caseloads.synthetic.workforce import AGENCY

Table = dict[str, StrArray]

AGENCY_COLUMNS = (
    "worker_ref",
    "agency",
    "role",
    "start_date",
    "end_date",
    "hourly_rate",
    "qualified_date",
    "months_post_qualifying_la_experience",
    "last_substantive_employer_region",
    "last_substantive_end_date",
    "references_received",
    "cooling_off_exception",
)
PRICE_CAP_COLUMNS = ("region", "role", "hourly_cap", "effective_from")

#: The council's roles (staff.csv) mapped to the core job types of the price caps, as the
#: guidance required each authority to do.
JOB_TYPE = {
    "social_worker": "social_worker",
    "senior_practitioner": "senior_social_worker",
    "quality_assurance_officer": "advanced_practitioner",
    "team_manager": "team_manager",
    "service_manager": "team_manager",
    "head_of_service": "team_manager",
    "independent_reviewing_officer": "iro_cp_chair",
}
AGENCIES = (
    "Demo Agency North Ltd",
    "Demo Agency South Ltd",
    "Demo Social Work Partners",
    "Demo Locum Services",
)
CAP_DATES = (date(2025, 4, 1), date(2026, 4, 1))
UPLIFT = 1.03
#: The lowest region's cap (the North East) and the highest region's excess over it.
LOWEST_CAP = {
    "social_worker": 34.0,
    "senior_social_worker": 38.0,
    "advanced_practitioner": 43.0,
    "team_manager": 50.0,
    "iro_cp_chair": 44.0,
}
SPREAD = {
    "social_worker": 0.37,
    "senior_social_worker": 0.37,
    "advanced_practitioner": 0.28,
    "team_manager": 0.19,
    "iro_cp_chair": 0.25,
}
#: Where each region's caps sit between the lowest (0) and the highest (1).
REGION_LEVEL = {
    "North East": 0.0,
    "Yorkshire and The Humber": 0.1,
    "North West": 0.15,
    "East Midlands": 0.2,
    "West Midlands": 0.25,
    "South West": 0.35,
    "East of England": 0.5,
    "South East": 0.6,
    "London": 1.0,
}
WINDOW_DAYS = 730


def cap(region: str | None, job: str, when: date) -> float:
    """The illustrative cap in force on ``when`` (the first cap before 1 April 2025); the middle
    of the range for an unknown region."""
    level = REGION_LEVEL.get(region or "", 0.5)
    value = LOWEST_CAP[job] * (1 + SPREAD[job] * level)
    if when >= CAP_DATES[1]:
        value *= UPLIFT
    return round(value, 2)


def price_caps_table(region: str | None) -> Table:
    """The caps of ``region`` (every region's when it is None), for each job type and date."""
    regions = [region] if region is not None else list(ENGLISH_REGIONS)
    rows = [
        (r, job, f"{cap(r, job, when):.2f}", when.isoformat())
        for r in regions
        for when in CAP_DATES
        for job in LOWEST_CAP
    ]
    return {
        name: np.array([row[i] for row in rows], dtype=str)
        for i, name in enumerate(PRICE_CAP_COLUMNS)
    }


def _whole_months(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def agency_table(reg: Registry, rng: np.random.Generator, region: str | None) -> Table:
    """One row per agency assignment of staff.csv running in the two years to ``today``."""
    c = reg.council
    today = reg.today
    since = today - WINDOW_DAYS
    rows = [
        a
        for a in c.workforce.assignments
        if a.contract == AGENCY
        and reg.worker_in[a.worker]
        and a.start <= today
        and a.end >= max(a.start, since)
    ]
    rows.sort(key=lambda a: (str(reg.worker_ref[a.worker]), a.start))
    draws = rng.random((len(rows), 16))
    others = [r for r in ENGLISH_REGIONS if r != region]
    workers = c.workforce.workers
    omitted = {a.worker for a, u in zip(rows, draws[:, 0], strict=True) if u < 0.04}
    out: list[tuple[str, ...]] = []
    for a, u in zip(rows, draws, strict=True):
        if a.worker in omitted:
            continue
        start = to_date(a.start)
        job = JOB_TYPE[ROLE_NAME[a.role]]
        qualified = to_date(workers[a.worker].qualified)
        since_qualified = _whole_months(qualified, start)
        if u[1] < 1 / 12:
            la_months = 18 + int(u[2] * 18)  # 18-35
        elif since_qualified >= 36:
            la_months = 36 + int((since_qualified - 36) * (0.5 + 0.45 * u[2]))
        else:
            la_months = int(since_qualified * (0.5 + 0.45 * u[2]))
        short_gap = u[3] < 0.10
        gap = 14 + int(u[4] * 72) if short_gap else 100 + int(u[4] * 1400)
        left = start - timedelta(days=gap)
        if u[5] < (0.75 if short_gap else 0.6) or not others:
            last_region = region or ENGLISH_REGIONS[0]
        elif u[5] < 0.97:
            last_region = others[int(u[6] * len(others))]
        else:
            last_region = OUTSIDE_ENGLAND[int(u[6] * 2)]  # Wales or Scotland
        exception = "redundancy" if short_gap and u[7] < 0.25 else ""
        references = 1 if u[8] < 0.05 else (3 if u[8] > 0.8 else 2)
        factor = 1.02 + 0.10 * u[10] if u[9] < 0.10 else 0.86 + 0.14 * u[10]
        rate = round(cap(region, job, start) * factor, 2)
        end = "" if a.end == OPEN or a.end > today else to_date(a.end).isoformat()
        missing_left = u[14] < 0.04
        out.append(
            (
                str(reg.worker_ref[a.worker]),
                AGENCIES[a.worker % len(AGENCIES)],
                job,
                start.isoformat(),
                end,
                "" if u[11] < 0.05 else f"{rate:.2f}",
                "" if u[12] < 0.03 else qualified.isoformat(),
                "" if u[13] < 0.05 else str(la_months),
                "" if missing_left or u[15] < 0.04 else last_region,
                "" if missing_left else left.isoformat(),
                "" if 0.75 < u[8] < 0.8 else str(references),
                exception,
            )
        )
    return {
        name: np.array([row[i] for row in out], dtype=str) for i, name in enumerate(AGENCY_COLUMNS)
    }
