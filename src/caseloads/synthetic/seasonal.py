"""When contacts and referrals arrive: school terms, weekends and Christmas.

Arrivals follow a daily intensity (mean 1 over the whole run). Gaps between a family's referrals are
drawn in "operational time" (the running sum of the intensity) and mapped back to calendar days, so
repeat referrals follow the same seasons as first ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caseloads.synthetic.dates import FloatArray, IntArray, day_of_month, month_of, weekday

#: Relative referral intensity by calendar month [A]: fewer in August and the Christmas holiday,
#: more in October-November and March (school terms; schools refer about a fifth of children).
MONTH_FACTOR = np.array(
    [1.00, 1.03, 1.12, 0.93, 1.03, 1.06, 1.02, 0.72, 0.97, 1.13, 1.13, 0.99], dtype=np.float64
)
#: Weekend days relative to weekdays [A]: police and hospitals refer at weekends, schools do not.
WEEKEND_FACTOR = 0.35
#: 18-31 December and 1 January relative to the rest of the month [A].
CHRISTMAS_FACTOR = 0.62


@dataclass(frozen=True)
class Season:
    """The daily intensity from ``first`` (a day number) for ``len(weight)`` days."""

    first: int
    weight: FloatArray
    cumulative: FloatArray

    @classmethod
    def build(cls, first: int, last: int) -> Season:
        days = np.arange(first, last + 1, dtype=np.int64)
        w = MONTH_FACTOR[month_of(days) - 1].copy()
        w[weekday(days) >= 5] *= WEEKEND_FACTOR
        month = month_of(days)
        dom = day_of_month(days)
        w[((month == 12) & (dom >= 18)) | ((month == 1) & (dom == 1))] *= CHRISTMAS_FACTOR
        w /= w.mean()
        return cls(first=first, weight=w, cumulative=np.cumsum(w))

    def arrivals(self, rng: np.random.Generator, per_day: float, start: int, end: int) -> IntArray:
        """Days of Poisson arrivals at mean ``per_day`` (seasonally weighted) from ``start`` to
        ``end`` inclusive, sorted."""
        lo, hi = start - self.first, end - self.first + 1
        counts = rng.poisson(per_day * self.weight[lo:hi])
        return np.repeat(np.arange(start, end + 1, dtype=np.int64), counts)

    def operational(self, days: IntArray) -> FloatArray:
        """Operational time at the end of each day."""
        idx = np.clip(np.asarray(days, dtype=np.int64) - self.first, 0, self.weight.size - 1)
        return self.cumulative[idx]

    def calendar(self, operational: FloatArray) -> IntArray:
        """The day on which each operational time falls (beyond the run: past its last day)."""
        idx = np.searchsorted(self.cumulative, operational, side="left").astype(np.int64)
        return idx + self.first

    def uniform_days(self, rng: np.random.Generator, start: IntArray, end: IntArray) -> IntArray:
        """One day per (start, end) pair, drawn with the seasonal weights."""
        a = self.operational(np.asarray(start, dtype=np.int64) - 1)
        b = self.operational(np.asarray(end, dtype=np.int64))
        u = a + rng.random(a.size) * (b - a)
        return np.clip(self.calendar(u), start, end)
