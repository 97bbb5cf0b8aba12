"""Small pieces of the generator: calendar arithmetic, seasons, identifiers."""

from __future__ import annotations

from datetime import date

import numpy as np

from caseloads.synthetic.dates import OPEN, Window, day, iso, plus_years, to_date
from caseloads.synthetic.people import prefixed, swe_numbers
from caseloads.synthetic.seasonal import Season


def test_birthdays_roll_29_february_into_march() -> None:
    dob = np.array([day(date(2008, 2, 29)), day(date(2010, 6, 15))], dtype=np.int64)
    b18 = plus_years(dob, 18)
    assert [to_date(int(x)) for x in b18] == [date(2026, 3, 1), date(2028, 6, 15)]


def test_iso_dates_leave_open_and_missing_empty() -> None:
    days = np.array([day(date(2024, 1, 31)), OPEN, -10_000_000], dtype=np.int64)
    assert iso(days).tolist() == ["2024-01-31", "", ""]


def test_census_years_are_those_whose_30_september_is_in_the_five_years() -> None:
    assert Window.of(date(2026, 11, 22), 5, 365, 240).census_years() == [
        2022,
        2023,
        2024,
        2025,
        2026,
    ]
    assert Window.of(date(2026, 9, 30), 5, 365, 240).census_years() == [
        2022,
        2023,
        2024,
        2025,
        2026,
    ]
    assert Window.of(date(2026, 9, 29), 5, 365, 240).census_years() == [
        2021,
        2022,
        2023,
        2024,
        2025,
    ]
    w = Window.of(date(2024, 2, 29), 5, 365, 240)
    assert to_date(w.history_start) == date(2019, 3, 1)


def test_seasons_weigh_august_and_christmas_down() -> None:
    season = Season.build(day(date(2020, 1, 1)), day(date(2024, 12, 31)))
    first = season.first
    weights = season.weight
    assert abs(weights.mean() - 1) < 1e-9

    def mean_of(start: date, end: date) -> float:
        return float(weights[day(start) - first : day(end) - first + 1].mean())

    assert mean_of(date(2022, 8, 1), date(2022, 8, 31)) < 0.8
    assert mean_of(date(2022, 12, 18), date(2022, 12, 31)) < 0.7
    assert mean_of(date(2022, 10, 1), date(2022, 11, 30)) > 1.0
    rng = np.random.default_rng(1)
    days = season.uniform_days(
        rng, np.full(1000, day(date(2022, 1, 1))), np.full(1000, day(date(2022, 12, 31)))
    )
    assert days.min() >= day(date(2022, 1, 1)) and days.max() <= day(date(2022, 12, 31))


def test_identifiers() -> None:
    assert prefixed("C", np.array([1, 1_000_001]), 7).tolist() == ["C0000001", "C1000001"]
    swe = swe_numbers(np.random.default_rng(1), 500)
    assert len(set(swe.tolist())) == 500
    assert all(len(s) == 12 and s.startswith("SW") and s[2:].isdigit() for s in swe.tolist())
