"""The whole simulated council, before anything is written: demand, casework, establishment,
workforce, absence and allocations, run in order from one set of random streams."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from caseloads.synthetic.absence import Absences, generate_absences
from caseloads.synthetic.allocation import (
    Holders,
    Involvements,
    allocate,
    build_holders,
    family_help_people,
)
from caseloads.synthetic.casework import Casework, Segments, build_casework
from caseloads.synthetic.dates import Window, day, to_date
from caseloads.synthetic.demand import Demand, generate_demand
from caseloads.synthetic.establishment import (
    Posts,
    Restructure,
    build_establishment,
    iro_posts_for,
    required_fte,
    restructure_day,
)
from caseloads.synthetic.profile import CouncilProfile
from caseloads.synthetic.rng import Streams
from caseloads.synthetic.seasonal import Season
from caseloads.synthetic.teams import (
    ASSESSMENT,
    FAMILY_HELP,
    FRONT_DOOR,
    IRO,
    Team,
    build_teams,
    resolve_pools,
)
from caseloads.synthetic.workforce import Pressure, Workforce, simulate_workforce

#: Days the workforce and the allocations run before the history starts (the warm-up).
WARM_UP_DAYS = 365
#: Days the workforce runs past ``today`` (offers accepted carry future start dates).
LOOKAHEAD_DAYS = 240
#: Years of referrals simulated before the warm-up, so that long periods of care are in place.
DEMAND_BURN_IN_YEARS = 18

Progress = Callable[[str, float], None]


@dataclass
class Council:
    """Everything simulated for one council."""

    profile: CouncilProfile
    window: Window
    season: Season
    teams: list[Team]
    demand: Demand
    casework: Casework
    posts: Posts
    restructures: list[Restructure]
    workforce: Workforce
    absences: Absences
    holders: Holders
    involvements: Involvements
    family_help: tuple[np.ndarray, np.ndarray]
    stock: dict[int, float]


def mean_stock(segments: Segments, first: int, last: int) -> dict[int, float]:
    """Average number of children held by each pool per day from ``first`` to ``last``."""
    lo = np.maximum(segments.start, first)
    hi = np.minimum(segments.end, last)
    days = np.clip(hi - lo + 1, 0, None).astype(np.float64)
    total = np.bincount(segments.pool, weights=days, minlength=IRO + 1)
    span = max(1, last - first + 1)
    return {int(k): float(total[k]) / span for k in range(total.size)}


def daily_stock(
    segments: Segments, first: int, last: int, practice: frozenset[int]
) -> dict[int, np.ndarray]:
    """Children needing a social worker on each day from ``first`` to ``last``, per practice team
    type present (family help and IRO pools excluded)."""
    n = last - first + 1
    out: dict[int, np.ndarray] = {}
    for pool in sorted(practice):
        m = segments.pool == pool
        lo = np.clip(segments.start[m] - first, 0, n)
        hi = np.clip(segments.end[m] - first + 1, 0, n)
        diff = np.zeros(n + 1, dtype=np.int64)
        np.add.at(diff, lo, 1)
        np.add.at(diff, hi, -1)
        out[pool] = np.cumsum(diff[:n])
    return out


def simulate(
    profile: CouncilProfile,
    streams: Streams,
    today: date,
    progress: Progress | None = None,
) -> Council:
    """Run every part of the model for ``profile`` up to ``today``."""

    def tick(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    window = Window.of(today, profile.years_of_history, WARM_UP_DAYS, LOOKAHEAD_DAYS)
    first_day = window.sim_start - int(DEMAND_BURN_IN_YEARS * 365.25)
    season = Season.build(first_day - 31, window.horizon + 5 * 366)
    restructure = restructure_day(profile, today)
    tick("demand", 0.05)
    demand = generate_demand(
        streams.get("demand"), profile, season, first_day, window.today, restructure
    )
    teams = build_teams(profile.teams)
    present = frozenset(t.team_type for t in teams)
    pool_of = resolve_pools(present)
    tick("casework", 0.2)
    casework = build_casework(streams.get("casework"), profile, demand, window.today, pool_of)

    # Size the establishment from the demand it must hold.
    stock = mean_stock(casework.segments, window.history_start, window.today)
    if profile.mash_expansion_posts and FRONT_DOOR in present:
        before = mean_stock(casework.segments, window.history_start, restructure - 1)
        for pool in (FRONT_DOOR, ASSESSMENT):
            stock[pool] = before[pool]
    case_fte = required_fte(stock, profile)
    if profile.social_worker_fte is not None:
        case_fte = _scaled_to(case_fte, profile, stock)
    cp_stock = float(
        np.mean(
            [
                ((casework.cp_plans.start <= d) & (casework.cp_plans.end >= d)).sum()
                for d in range(window.history_start, window.today, 91)
            ]
        )
    )
    iro_posts = iro_posts_for(stock.get(IRO, 0.0), cp_stock, profile)
    tick("establishment", 0.3)
    posts, restructures = build_establishment(
        streams.get("establishment"),
        profile,
        teams,
        case_fte,
        iro_posts,
        budget_start=day(date(to_year(window.sim_start) - 3, 4, 1)),
        history_start=window.history_start,
        restructure=restructure,
    )
    tick("workforce", 0.35)
    pressure = Pressure(
        first=window.sim_start,
        last=window.today,
        stock=daily_stock(casework.segments, window.sim_start, window.today, present),
        low=profile.caseload_band[0],
        high=profile.caseload_band[1],
        target=(profile.caseload_band[0] + profile.caseload_band[1]) / 2,
    )
    workforce = simulate_workforce(
        streams.get("workforce"), profile, posts, teams, window.sim_start, window.horizon, pressure
    )
    first_census = day(date(to_year(window.history_start) - 1, 10, 1))
    absences = generate_absences(
        streams.get("absence"),
        profile,
        workforce,
        min(first_census, window.sim_start),
        window.today,
    )
    family_help = family_help_people(
        teams, stock.get(FAMILY_HELP, 0.0), profile, first_index=len(workforce.workers)
    )
    holders = build_holders(profile, workforce, teams, absences, family_help, window.sim_start)
    tick("allocation", 0.45)
    involvements = allocate(
        streams.get("allocation"),
        profile,
        casework.segments,
        casework.child_family,
        holders,
        window.sim_start,
        window.today,
    )
    return Council(
        profile=profile,
        window=window,
        season=season,
        teams=teams,
        demand=demand,
        casework=casework,
        posts=posts,
        restructures=restructures,
        workforce=workforce,
        absences=absences,
        holders=holders,
        involvements=involvements,
        family_help=family_help,
        stock=stock,
    )


def to_year(n: int) -> int:
    """The calendar year of day number ``n``."""
    return to_date(n).year


def _scaled_to(
    case_fte: dict[int, float], profile: CouncilProfile, stock: dict[int, float]
) -> dict[int, float]:
    """Case-holding FTE scaled so that the whole establishment matches the profile's social worker
    FTE (in post plus agency, so divided by the expected fill)."""
    assert profile.social_worker_fte is not None
    managers = (
        sum(n for _, n in profile.teams) + profile.service_managers + profile.heads_of_service
    )
    others = (
        managers + profile.quality_assurance_officers + stock.get(IRO, 0.0) / profile.iro_caseload
    )
    want = profile.social_worker_fte - others
    have = sum(case_fte.values())
    factor = max(0.3, want / have) if have > 0 else 1.0
    return {k: v * factor for k, v in case_fte.items()}
