"""Dates as whole days, and the calendar the generator needs.

Internally a date is an ``int64`` count of days since 1970-01-01, so that whole columns of dates are
numpy arrays. ``OPEN`` marks an interval still open (no end date) and ``NA`` a date that does not
apply; both are written as an empty cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

EPOCH = date(1970, 1, 1)
#: An end date beyond any horizon: the interval is still open.
OPEN = 10_000_000
#: A date that does not apply.
NA = -10_000_000


def day(d: date) -> int:
    """The day number of ``d``."""
    return (d - EPOCH).days


def to_date(n: int) -> date:
    """The date of day number ``n``."""
    return EPOCH + timedelta(days=int(n))


def iso(days: IntArray) -> StrArray:
    """``YYYY-MM-DD`` strings for day numbers; ``OPEN`` and ``NA`` (and anything outside years
    1000-9999) become empty strings."""
    days = np.asarray(days, dtype=np.int64)
    valid = (days > -300_000) & (days < 2_900_000)
    safe = np.where(valid, days, 0)
    text = np.datetime_as_string(safe.astype("datetime64[D]"), unit="D")
    return np.where(valid, text, "")


def plus_years(days: IntArray, years: int) -> IntArray:
    """Day numbers moved by whole years; 29 February becomes 1 March in a common year (as an
    English birthday does)."""
    d64 = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = d64.astype("datetime64[M]")
    day_of_month = (d64 - month.astype("datetime64[D]")).astype(np.int64)
    target = (month + np.timedelta64(12 * years, "M")).astype("datetime64[D]").astype(np.int64)
    # Day-of-month overflow (29 Feb in a common year) rolls into March, as a birthday does.
    return np.asarray(target + day_of_month, dtype=np.int64)


def month_of(days: IntArray) -> IntArray:
    """Calendar month (1-12) of each day number."""
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    return (months.astype(np.int64) % 12 + 1).astype(np.int64)


def year_of(days: IntArray) -> IntArray:
    """Calendar year of each day number."""
    years = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[Y]")
    return (years.astype(np.int64) + 1970).astype(np.int64)


def day_of_month(days: IntArray) -> IntArray:
    """Day of the month (1-31) of each day number."""
    d64 = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    start = d64.astype("datetime64[M]").astype("datetime64[D]")
    return np.asarray((d64 - start).astype(np.int64) + 1, dtype=np.int64)


def weekday(days: IntArray) -> IntArray:
    """Weekday of each day number, Monday = 0 (1970-01-01 was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def working_days(start: IntArray, end: IntArray) -> IntArray:
    """Monday-to-Friday days from ``start`` to ``end`` inclusive (bank holidays not removed)."""
    s = np.asarray(start, dtype=np.int64).astype("datetime64[D]")
    e = (np.asarray(end, dtype=np.int64) + 1).astype("datetime64[D]")
    return np.busday_count(s, e).astype(np.int64)


def add_working_days(start: IntArray, n: IntArray) -> IntArray:
    """The day ``n`` working days after ``start`` (``start`` rolled forward to a weekday first)."""
    s = np.asarray(start, dtype=np.int64).astype("datetime64[D]")
    out = np.busday_offset(s, np.asarray(n, dtype=np.int64), roll="forward")
    return out.astype(np.int64)


def census_day(year: int) -> int:
    """30 September of ``year``: the CSWW reference date."""
    return day(date(year, 9, 30))


@dataclass(frozen=True)
class Window:
    """The dates a run covers.

    ``history_start``..``today`` is the five years the extracts describe; ``sim_start`` is a year
    earlier (the allocation and workforce warm-up); ``horizon`` runs past ``today`` so that offers
    already accepted can carry expected start dates.
    """

    today: int
    history_start: int
    sim_start: int
    horizon: int

    @classmethod
    def of(cls, today: date, years: int, warm_up_days: int, lookahead_days: int) -> Window:
        """The ``years`` years ending on ``today`` (from 29 February, the years end on the 28th)."""
        try:
            back = today.replace(year=today.year - years)
        except ValueError:
            back = date(today.year - years, 2, 28)
        start = back + timedelta(days=1)
        return cls(
            today=day(today),
            history_start=day(start),
            sim_start=day(start) - warm_up_days,
            horizon=day(today) + lookahead_days,
        )

    def census_years(self) -> list[int]:
        """Census years whose 30 September falls within the history, ascending."""
        first = to_date(self.history_start).year
        last = to_date(self.today).year
        return [
            y for y in range(first, last + 1) if self.history_start <= census_day(y) <= self.today
        ]

    def march_31s(self) -> list[int]:
        """Every 31 March within the history, as day numbers, ascending."""
        first = to_date(self.history_start).year
        last = to_date(self.today).year
        days = [day(date(y, 3, 31)) for y in range(first, last + 1)]
        return [d for d in days if self.history_start <= d <= self.today]
