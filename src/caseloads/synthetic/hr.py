"""The HR and finance extracts: staff.csv, absences.csv, establishment.csv and pipeline.csv."""

from __future__ import annotations

from datetime import date

import numpy as np

from caseloads.synthetic.absence import REASONS
from caseloads.synthetic.dates import NA, OPEN, StrArray, census_day, day, iso, to_date
from caseloads.synthetic.establishment import ORG_ROLE, ROLE_NAME
from caseloads.synthetic.people import prefixed
from caseloads.synthetic.registry import Registry
from caseloads.synthetic.workforce import AGENCY

Table = dict[str, StrArray]

STAFF_COLUMNS = (
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
)
ABSENCE_COLUMNS = ("worker_ref", "start_date", "end_date", "working_days_lost", "reason")
ESTABLISHMENT_COLUMNS = (
    "post_id",
    "team",
    "role",
    "grade",
    "fte",
    "funding",
    "start_date",
    "end_date",
)
PIPELINE_COLUMNS = (
    "candidate_ref",
    "team",
    "role",
    "contract",
    "fte",
    "stage",
    "stage_date",
    "expected_start",
)
STAGES = ("applied", "shortlisted", "offered", "accepted", "checks", "started", "withdrawn")


def _fte(values: list[float]) -> StrArray:
    return np.array([f"{v:.2f}" for v in values], dtype=str)


def staff_table(reg: Registry) -> Table:
    """One row per assignment of every worker who worked in the history, up to ``today``."""
    c = reg.council
    today = reg.today
    rows = [
        a
        for a in c.workforce.assignments
        if reg.worker_in[a.worker] and a.start <= today and a.end >= a.start
    ]
    rows.sort(key=lambda a: (str(reg.worker_ref[a.worker]), a.start))
    workers = c.workforce.workers
    end = np.array([a.end for a in rows], dtype=np.int64)
    ended = end <= today
    reason = (
        np.array([a.leaving_reason for a in rows], dtype=str) if rows else np.array([], dtype=str)
    )
    asye = np.array([workers[a.worker].asye_start for a in rows], dtype=np.int64)
    return {
        "worker_ref": np.array([reg.worker_ref[a.worker] for a in rows], dtype=str),
        "swe_number": np.array([reg.swe[a.worker] for a in rows], dtype=str),
        "post_id": np.array(
            [c.posts.post_id(a.post) if a.post >= 0 else "" for a in rows], dtype=str
        ),
        "team": np.array([reg.team_name[a.team] for a in rows], dtype=str),
        "role": np.array([ROLE_NAME[a.role] for a in rows], dtype=str),
        "org_role": np.array([str(ORG_ROLE[a.role]) for a in rows], dtype=str),
        "contract": np.array([a.contract for a in rows], dtype=str),
        "fte": _fte([a.fte for a in rows]),
        "start_date": iso(np.array([a.start for a in rows], dtype=np.int64)),
        "end_date": iso(np.where(ended, end, OPEN)),
        "leaving_reason": np.where(ended, reason, ""),
        "qualified_date": iso(
            np.array([workers[a.worker].qualified for a in rows], dtype=np.int64)
        ),
        "asye_start": iso(np.where(asye == NA, OPEN, asye)),
    }


def absence_table(reg: Registry, first: int) -> Table:
    """Absence spells of directly employed workers starting from ``first`` to ``today``."""
    ab = reg.council.absences
    keep = (ab.start >= first) & (ab.start <= reg.today) & reg.worker_in[ab.worker]
    idx = np.flatnonzero(keep)
    order = np.lexsort((ab.start[idx], reg.worker_ref[ab.worker[idx]]))
    idx = idx[order]
    return {
        "worker_ref": reg.worker_ref[ab.worker[idx]],
        "start_date": iso(ab.start[idx]),
        "end_date": iso(np.where(ab.end[idx] > reg.today, OPEN, ab.end[idx])),
        "working_days_lost": np.array([f"{v:.2f}" for v in ab.days_lost[idx]], dtype=str),
        "reason": np.array(REASONS)[ab.reason[idx]],
    }


def establishment_table(reg: Registry) -> Table:
    """Every budgeted post, effective-dated."""
    ps = reg.council.posts
    n = len(ps)
    return {
        "post_id": np.array([ps.post_id(i) for i in range(n)], dtype=str),
        "team": reg.team_name[ps.team],
        "role": np.array(ROLE_NAME)[ps.role],
        "grade": np.array(ps.grade, dtype=str),
        "fte": _fte(ps.fte.tolist()),
        "funding": np.where(ps.temporary, "temporary", "permanent"),
        "start_date": iso(ps.start),
        "end_date": iso(np.where(ps.end > reg.today, OPEN, ps.end)),
    }


def pipeline_table(reg: Registry, rng: np.random.Generator) -> Table:
    """Recruitment candidates of the last ``pipeline_months`` months, each at their latest stage:
    the appointments and agency bookings of the simulated workforce (including those starting
    after ``today``), and the other applicants to the same vacancies."""
    c = reg.council
    p = c.profile
    today = reg.today
    since = today - int(p.pipeline_months * 30.44)
    ps = c.posts
    rows: list[tuple[int, int, int, str, float, str, int, int]] = []
    # (stage_date, team, role, contract, fte, stage, expected_start, tie)

    def add(post: int, contract: str, stage: str, when: int, expected: int) -> None:
        rows.append(
            (
                when,
                int(ps.team[post]),
                int(ps.role[post]),
                contract,
                float(ps.fte[post]),
                stage,
                expected,
                len(rows),
            )
        )

    def others(post: int, start: int, end: int, n: int, in_progress: bool) -> None:
        start = max(start, since)
        hi = max(start, min(end, today))
        for _ in range(n):
            when = int(rng.integers(start, hi + 1))
            if in_progress:
                stage = "applied" if rng.random() < 0.6 else "shortlisted"
            else:
                stage = str(rng.choice(["applied", "shortlisted", "withdrawn"], p=[0.4, 0.2, 0.4]))
            add(post, "permanent", stage, when, NA)

    lo, hi = p.applicants_per_vacancy
    for r in c.workforce.rounds:
        if r.end < since or r.start > today:
            continue
        n = int(rng.integers(lo, hi + 1))
        if r.appointed and r.end <= today:
            add(r.post, "permanent", "started", r.end, r.end)
            others(r.post, r.start, r.end - 14, n - 1, in_progress=False)
        elif r.appointed:
            offer = r.end - int(rng.integers(28, 76))
            if offer <= today:
                if today - offer >= 10:
                    add(r.post, "permanent", "checks", offer + 10, r.end)
                else:
                    add(
                        r.post,
                        "permanent",
                        "accepted",
                        min(today, offer + int(rng.integers(0, 4))),
                        r.end,
                    )
                others(r.post, r.start, offer, n - 1, in_progress=False)
            else:
                others(r.post, r.start, today, n, in_progress=True)
        else:
            if r.end <= today and rng.random() < 0.3:
                add(r.post, "permanent", "withdrawn", r.end - int(rng.integers(1, 15)), NA)
                n -= 1
            others(r.post, r.start, min(r.end, today), n, in_progress=r.end > today)
    for post, start in c.workforce.open_rounds:
        if start <= today:
            others(post, max(start, since), today, int(rng.integers(lo, hi + 1)), in_progress=True)
            if rng.random() < 0.3:
                add(post, "permanent", "offered", today - int(rng.integers(0, 10)), NA)
    for e in c.workforce.agency:
        if e.start < since or e.requested > today:
            continue
        fte = float(ps.fte[e.post]) if e.post >= 0 else 1.0
        if e.start <= today:
            stage, when = "started", e.start
        else:
            stage, when = "accepted", min(today, e.requested + int(rng.integers(1, 8)))
        rows.append((when, e.team, e.role, AGENCY, fte, stage, e.start, len(rows)))
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[7]))
    n = len(rows)
    expected = np.array([r[6] for r in rows], dtype=np.int64)
    return {
        "candidate_ref": prefixed("CAND", 10_001 + np.arange(n), 5),
        "team": np.array([reg.team_name[r[1]] for r in rows], dtype=str),
        "role": np.array([ROLE_NAME[r[2]] for r in rows], dtype=str),
        "contract": np.array([r[3] for r in rows], dtype=str),
        "fte": _fte([r[4] for r in rows]),
        "stage": np.array([r[5] for r in rows], dtype=str),
        "stage_date": iso(np.array([r[0] for r in rows], dtype=np.int64)),
        "expected_start": iso(np.where(expected == NA, OPEN, expected)),
    }


def first_census_start(history_start: int) -> int:
    """1 October before the first census 30 September of the history."""
    d = to_date(history_start)
    year = d.year if history_start <= census_day(d.year) else d.year + 1
    return day(date(year - 1, 10, 1))
