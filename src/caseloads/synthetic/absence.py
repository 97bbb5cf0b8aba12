"""Absence of directly employed social workers: sickness, maternity, training and other leave.

Spells are drawn per staff.csv row as Poisson processes, vectorised, then thinned so that one
worker's spells never overlap. Sickness spells stop at 30 September, so every sickness spell
belongs to one CSWW census year and ``WorkingDaysLost`` is the plain sum of that year's spells.
Working days lost are the Monday-Friday days of the spell (up to ``today`` for a spell still
running, whose end is then left open) times the worker's FTE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caseloads.synthetic.dates import (
    FloatArray,
    IntArray,
    add_working_days,
    month_of,
    working_days,
    year_of,
)
from caseloads.synthetic.demand import Columns
from caseloads.synthetic.profile import CouncilProfile
from caseloads.synthetic.workforce import DIRECT, Workforce

REASONS = ("SIC", "MAT", "TRN", "OTH", "PUB", "UNP", "UNA")
SIC, MAT, TRN, OTH, PUB, UNP, UNA = range(7)


@dataclass
class Absences(Columns):
    worker: IntArray
    start: IntArray
    end: IntArray  # last day of absence (after ``today`` for a spell still running)
    days_lost: FloatArray
    reason: IntArray  # index into REASONS


def next_census_end(days: IntArray) -> IntArray:
    """The 30 September on or after each day."""
    year = year_of(days) + (month_of(days) > 9).astype(np.int64)
    months = (year - 1970) * 12 + 8  # September of that year
    first = np.asarray(months, dtype="datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return (first + 29).astype(np.int64)


class _Spells:
    """Spells drawn for the rows of staff.csv that are direct employment."""

    def __init__(
        self,
        rng: np.random.Generator,
        start: IntArray,
        end: IntArray,
        fte: FloatArray,
    ) -> None:
        self.rng = rng
        self.row_start = start
        self.row_end = end
        self.fte = fte
        self.years = (end - start + 1) / 365.25
        self.parts: list[tuple[IntArray, IntArray, IntArray, IntArray]] = []

    def draw(
        self,
        rate: FloatArray,
        reason: IntArray,
        length: IntArray,
        *,
        calendar: bool = False,
        cut_at_census: bool = False,
        limit: IntArray | None = None,
    ) -> None:
        """Spells at ``rate`` a year per row; ``length`` per spell (working days, or calendar days
        if ``calendar``); ``reason`` per spell. Spells end by the row's end (or ``limit``)."""
        rng = self.rng
        n = rng.poisson(rate * self.years)
        owner = np.repeat(np.arange(n.size, dtype=np.int64), n)
        k = owner.size
        span = self.row_end[owner] - self.row_start[owner] + 1
        start = self.row_start[owner] + np.floor(rng.random(k) * span).astype(np.int64)
        start = add_working_days(start, np.zeros(k, dtype=np.int64))
        last = length[:k] - 1
        end = start + last if calendar else add_working_days(start, last)
        cap = self.row_end if limit is None else limit
        end = np.minimum(end, cap[owner])
        if cut_at_census:
            end = np.minimum(end, next_census_end(start))
        keep = start <= end
        self.parts.append((owner[keep], start[keep], end[keep], reason[:k][keep]))


def generate_absences(
    rng: np.random.Generator,
    profile: CouncilProfile,
    workforce: Workforce,
    first_day: int,
    today: int,
) -> Absences:
    """Absence spells of directly employed workers that start from ``first_day`` to ``today``."""
    p = profile
    rows = [a for a in workforce.assignments if a.contract in DIRECT]
    worker = np.array([a.worker for a in rows], dtype=np.int64)
    start = np.maximum(np.array([a.start for a in rows], dtype=np.int64), first_day)
    end = np.array([a.end for a in rows], dtype=np.int64)
    fte = np.array([a.fte for a in rows], dtype=np.float64)
    live = np.minimum(end, today) >= start
    worker, start, end, fte = worker[live], start[live], end[live], fte[live]
    # Spells start by ``today``; a spell may run past it (while the row runs past it).
    draw_end = np.minimum(end, today)
    spells = _Spells(rng, start, draw_end, fte)
    female = np.array([workforce.workers[w].gender == 2 for w in worker], dtype=np.bool_)
    dob = np.array([workforce.workers[w].dob for w in worker], dtype=np.int64)
    n_max = int(max(1, worker.size) * 40 + 1_000)

    # Maternity first: other spells never overlap it.
    can = female & ((start - dob) / 365.25 < 45)
    lo, hi = p.maternity_days
    spells.draw(
        np.where(can, p.maternity_rate, 0.0),
        np.full(n_max, MAT, dtype=np.int64),
        rng.integers(lo, hi + 1, n_max),
        calendar=True,
        limit=end,
    )
    short = rng.integers(p.sickness_short_days[0], p.sickness_short_days[1] + 1, n_max)
    long = rng.integers(p.sickness_long_days[0], p.sickness_long_days[1] + 1, n_max)
    sick = np.where(rng.random(n_max) < p.sickness_long_share, long, short)
    spells.draw(
        np.full(worker.size, p.sickness_spells_per_year),
        np.full(n_max, SIC, dtype=np.int64),
        sick,
        cut_at_census=True,
        limit=end,
    )
    spells.draw(
        np.full(worker.size, p.training_spells_per_year),
        np.full(n_max, TRN, dtype=np.int64),
        rng.integers(1, 4, n_max),
    )
    other = rng.choice(np.array([OTH, PUB, UNP, UNA]), size=n_max, p=[0.6, 0.1, 0.2, 0.1])
    spells.draw(
        np.full(worker.size, p.other_spells_per_year),
        other.astype(np.int64),
        rng.integers(1, 3, n_max),
    )

    owner = np.concatenate([x[0] for x in spells.parts])
    s = np.concatenate([x[1] for x in spells.parts])
    e = np.concatenate([x[2] for x in spells.parts])
    why = np.concatenate([x[3] for x in spells.parts])
    who = worker[owner]
    f = fte[owner]
    # One worker's spells never overlap: keep them in start order, maternity winning ties.
    order = np.lexsort((why != MAT, s, who))
    who, s, e, why, f = who[order], s[order], e[order], why[order], f[order]
    keep = np.ones(who.size, dtype=np.bool_)
    last_worker, last_end = -1, -1
    for i in range(who.size):
        w = int(who[i])
        if w == last_worker and s[i] <= last_end:
            keep[i] = False
            continue
        if w == last_worker:
            last_end = max(last_end, int(e[i]))
        else:
            last_worker, last_end = w, int(e[i])
    who, s, e, why, f = who[keep], s[keep], e[keep], why[keep], f[keep]
    days = np.round(working_days(s, np.minimum(e, today)) * f, 2)
    return Absences(worker=who, start=s, end=e, days_lost=days, reason=why)
