"""The budgeted establishment: posts per team and role, sized from the council's demand.

Each practice team has a team manager, one or two senior practitioners and enough social worker
posts to hold its share of the children at the profile's target caseload (allowing for the posts
that are vacant and not covered). The management team holds the head of service, the service
managers, independent reviewing officers and quality assurance officers. The establishment is
effective-dated: the restructure ends some posts and starts new ones, never rewriting a row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from caseloads.synthetic.dates import OPEN, BoolArray, FloatArray, IntArray, day, to_date
from caseloads.synthetic.profile import CouncilProfile
from caseloads.synthetic.teams import (
    ASSESSMENT,
    CIN_CP,
    FRONT_DOOR,
    MANAGEMENT,
    PRACTICE_TYPES,
    TEAM_TYPE,
    Team,
)

# Roles (staff.csv ``role``), with their CSWW OrgRole, SSD job title and establishment grade.
SW, SP, TM, SM, HOS, IRO_ROLE, QA = range(7)
ROLE_NAME = (
    "social_worker",
    "senior_practitioner",
    "team_manager",
    "service_manager",
    "head_of_service",
    "independent_reviewing_officer",
    "quality_assurance_officer",
)
ROLE_CODE = {name: i for i, name in enumerate(ROLE_NAME)}
ORG_ROLE = (5, 4, 3, 2, 1, 6, 6)
JOB_TITLE = (
    "Social Worker",
    "Senior Practitioner",
    "Team Manager",
    "Service Manager",
    "Head of Service",
    "Independent Reviewing Officer",
    "Quality Assurance Officer",
)
GRADE = ("SW2", "SP", "TM", "SM", "HOS", "IRO", "QA")
CASE_HOLDING_ROLES = (SW, SP)


@dataclass
class Posts:
    """The establishment: one row per budgeted post (a restructure adds rows)."""

    team: IntArray
    role: IntArray
    grade: list[str]
    fte: FloatArray
    temporary: BoolArray
    start: IntArray
    end: IntArray  # last day, OPEN while the post exists
    successor: IntArray  # post the holder moves to when this post ends (-1: none)

    def __len__(self) -> int:
        return int(self.team.size)

    def post_id(self, index: int) -> str:
        return f"POST{index + 1:04d}"

    def active(self, on: int) -> BoolArray:
        return (self.start <= on) & (self.end >= on)


@dataclass(frozen=True)
class Restructure:
    """When the establishment changed, and what changed."""

    day: int
    description: str


def restructure_day(profile: CouncilProfile, today: date) -> int:
    """The restructure takes effect on the 1 April about ``restructure_months_before`` months
    before ``today``."""
    months = today.year * 12 + today.month - 1 - profile.restructure_months_before
    year, month = divmod(months, 12)
    target = date(year, month + 1, 1)
    april = date(target.year if target.month >= 4 else target.year - 1, 4, 1)
    return day(april)


def required_fte(stock: dict[int, float], profile: CouncilProfile) -> dict[int, float]:
    """Case-holding establishment FTE per practice team type: the children it holds on average
    (``stock``) at the target caseload, times the share of need the council budgets for."""
    share = profile.establishment_share_of_need
    return {
        t: stock.get(t, 0.0) / profile.target_caseload_for(TEAM_TYPE[t]) * share
        for t in PRACTICE_TYPES
    }


def build_establishment(
    rng: np.random.Generator,
    profile: CouncilProfile,
    teams: list[Team],
    case_fte: dict[int, float],
    iro_posts: int,
    budget_start: int,
    history_start: int,
    restructure: int,
) -> tuple[Posts, list[Restructure]]:
    """Posts for ``teams``: ``case_fte`` is the case-holding FTE to budget per practice team type
    (spread over the teams of that type); ``iro_posts`` independent reviewing officers."""
    rows: list[tuple[int, int, str, float, bool, int, int]] = []

    def add(
        team: int,
        role: int,
        fte: float,
        *,
        grade: str | None = None,
        temp: bool = False,
        start: int = budget_start,
        end: int = OPEN,
    ) -> int:
        rows.append((team, role, grade or GRADE[role], fte, temp, start, end))
        return len(rows) - 1

    mix_fte = np.array([m[0] for m in profile.post_fte_mix], dtype=np.float64)
    mix_w = np.array([m[1] for m in profile.post_fte_mix], dtype=np.float64)
    mix_w /= mix_w.sum()
    by_type: dict[int, list[Team]] = {}
    for team in teams:
        by_type.setdefault(team.team_type, []).append(team)
    sw_posts_of: dict[int, list[int]] = {}
    for team in teams:
        if team.team_type == MANAGEMENT:
            continue
        n_same = len(by_type[team.team_type])
        target = case_fte.get(team.team_type, 0.0) / n_same
        add(team.index, TM, 1.0)
        n_sp = 2 if target >= profile.second_senior_practitioner_from_fte else 1
        for _ in range(n_sp):
            add(team.index, SP, 1.0)
        need = max(target - n_sp * 1.0, 1.0)
        ftes: list[float] = []
        while sum(ftes) < need - 0.3:
            ftes.append(float(mix_fte[rng.choice(mix_fte.size, p=mix_w)]))
        low, high = profile.social_workers_per_team
        while len(ftes) > high:
            # Too many part-time posts: merge the two smallest into one full-time post.
            ftes.sort()
            ftes = [1.0, *ftes[2:]]
        while len(ftes) < low:
            ftes.append(1.0)
        sw_posts: list[int] = []
        for fte in ftes:
            grade = "SW1" if rng.random() < 0.15 else ("SW3" if rng.random() < 0.25 else "SW2")
            sw_posts.append(add(team.index, SW, fte, grade=grade))
        sw_posts_of[team.index] = sw_posts
    management = next(t for t in teams if t.team_type == MANAGEMENT)
    for _ in range(profile.heads_of_service):
        add(management.index, HOS, 1.0)
    for _ in range(profile.service_managers):
        add(management.index, SM, 1.0)
    for i in range(iro_posts):
        add(management.index, IRO_ROLE, 0.8 if i % 5 == 4 else 1.0)
    for _ in range(profile.quality_assurance_officers):
        add(management.index, QA, 1.0)

    successor: dict[int, int] = {}
    changes: list[Restructure] = []
    # Temporary posts: extra assessment capacity for 17 months, starting on the first 1 April of
    # the history that leaves them time to run.
    assess = by_type.get(ASSESSMENT) or by_type.get(CIN_CP) or []
    if profile.temporary_posts and assess:
        first_april = _april_on_or_after(history_start + 200)
        end = day(_add_months(to_date(first_april), 17)) - 1
        for i in range(profile.temporary_posts):
            team = assess[i % len(assess)]
            add(team.index, SW, 1.0, temp=True, start=first_april, end=end)
        changes.append(Restructure(first_april, "temporary assessment posts for 17 months"))
    # MASH expansion: social worker posts move from the assessment teams to the front door.
    front = by_type.get(FRONT_DOOR, [])
    if profile.mash_expansion_posts and front and by_type.get(ASSESSMENT):
        for i in range(profile.mash_expansion_posts):
            team = by_type[ASSESSMENT][i % len(by_type[ASSESSMENT])]
            old = sw_posts_of[team.index].pop()
            _end_post(rows, old, restructure - 1)
            new = add(front[0].index, SW, 1.0, start=restructure)
            successor[old] = new
        changes.append(Restructure(restructure, "MASH expansion: assessment posts moved"))
    # Regrading: a social worker post becomes a senior practitioner post, in a team with a single
    # senior practitioner (CIN/CP teams first).
    sp_count = {
        t.index: sum(1 for r in rows if r[0] == t.index and r[1] == SP and r[6] == OPEN)
        for t in teams
    }
    practice = [t for t in teams if t.team_type != MANAGEMENT]
    eligible = [t for t in practice if sp_count[t.index] < 2 and len(sw_posts_of[t.index]) >= 2]
    eligible.sort(key=lambda t: (t.team_type != CIN_CP, t.index))
    regraded = 0
    for team in eligible[: profile.regraded_posts]:
        old = sw_posts_of[team.index].pop()
        _end_post(rows, old, restructure - 1)
        new = add(team.index, SP, 1.0, start=restructure)
        successor[old] = new
        regraded += 1
    if regraded:
        changes.append(
            Restructure(restructure, "social worker post regraded to senior practitioner")
        )

    n = len(rows)
    posts = Posts(
        team=np.array([r[0] for r in rows], dtype=np.int64),
        role=np.array([r[1] for r in rows], dtype=np.int64),
        grade=[r[2] for r in rows],
        fte=np.array([r[3] for r in rows], dtype=np.float64),
        temporary=np.array([r[4] for r in rows], dtype=np.bool_),
        start=np.array([r[5] for r in rows], dtype=np.int64),
        end=np.array([r[6] for r in rows], dtype=np.int64),
        successor=np.array([successor.get(i, -1) for i in range(n)], dtype=np.int64),
    )
    return posts, changes


def _end_post(
    rows: list[tuple[int, int, str, float, bool, int, int]], index: int, end: int
) -> None:
    team, role, grade, fte, temp, start, _ = rows[index]
    rows[index] = (team, role, grade, fte, temp, start, end)


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    return date(year, month + 1, 1)


def _april_on_or_after(n: int) -> int:
    d = to_date(n)
    april = date(d.year, 4, 1)
    if april < d:
        april = date(d.year + 1, 4, 1)
    return day(april)


def iro_posts_for(cla_stock: float, cp_stock: float, profile: CouncilProfile) -> int:
    """Independent reviewing officers (who also chair CP conferences): children looked after plus
    half the children on CP plans, at the IRO caseload."""
    return max(1, math.ceil((cla_stock + 0.5 * cp_stock) / profile.iro_caseload))
