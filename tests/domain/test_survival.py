"""The Kaplan–Meier estimator (domain/survival.py) against hand-worked and published values."""

from __future__ import annotations

import numpy as np
import pytest

from caseloads.domain.survival import kaplan_meier


def test_a_hand_worked_example_with_late_entry() -> None:
    """Six subjects (entry, exit, left?): (0,2,yes) (0,3,no) (1,4,yes) (0,5,yes) (3,6,yes)
    (2,6,no). At risk at t = entered before t and exit at t or later:

    - t=2: subjects 1-4 (5 enters at 3, 6 at 2, not before 2): n=4, d=1, S = 3/4 = 0.75
    - t=4: 3, 4, 5, 6 (2 was censored at 3): n=4, d=1, S = 0.75 × 3/4 = 0.5625
    - t=5: 4, 5, 6: n=3, d=1, S = 0.5625 × 2/3 = 0.375
    - t=6: 5 and 6 (censored at 6, so still at risk): n=2, d=1, S = 0.375 × 1/2 = 0.1875
    """
    km = kaplan_meier(
        exit=np.array([2, 3, 4, 5, 6, 6.0]),
        event=np.array([True, False, True, True, True, False]),
        entry=np.array([0, 0, 1, 0, 3, 2.0]),
    )
    assert km.table["time"].to_list() == [2.0, 4.0, 5.0, 6.0]
    assert km.table["at_risk"].to_list() == [4, 4, 3, 2]
    assert km.table["events"].to_list() == [1, 1, 1, 1]
    assert km.table["survival"].to_list() == pytest.approx([0.75, 0.5625, 0.375, 0.1875])
    assert km.survival_at(1.9) == 1.0
    assert km.survival_at(4.5) == pytest.approx(0.5625)
    assert km.survival_at(6.0) == pytest.approx(0.1875)
    assert km.survival_at(6.1) is None  # beyond the data
    assert km.median() == 5.0  # first time S <= 0.5
    assert (km.subjects, km.events, km.first_entry, km.last_time) == (6, 4, 0.0, 6.0)


def test_ignoring_late_entry_would_give_other_figures() -> None:
    """The same subjects all taken as observed from 0 (the error left truncation avoids):
    t=2: 5/6; t=4: n=4 → 5/6 × 3/4 = 0.625; t=5: 0.625 × 2/3; t=6: × 1/2."""
    km = kaplan_meier(
        exit=np.array([2, 3, 4, 5, 6, 6.0]), event=np.array([True, False, True, True, True, False])
    )
    assert km.table["at_risk"].to_list() == [6, 4, 3, 2]
    assert km.table["survival"].to_list() == pytest.approx([5 / 6, 0.625, 0.625 * 2 / 3, 0.625 / 3])


def test_the_freireich_6mp_remission_times() -> None:
    """The 6-MP arm of Freireich et al. (1963), *Blood* 21:699-716: weeks in remission 6, 6, 6,
    6+, 7, 9+, 10, 10+, 11+, 13, 16, 17+, 19+, 20+, 22, 23, 25+, 32+, 32+, 34+, 35+ (+ censored).
    Its Kaplan–Meier estimate as published in Kleinbaum and Klein, *Survival Analysis: A
    Self-Learning Text* (3rd ed., 2012), ch. 2: S = 0.857, 0.807, 0.753, 0.690, 0.627, 0.538,
    0.448 at 6, 7, 10, 13, 16, 22, 23 weeks; median 23 weeks."""
    weeks = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    left = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    km = kaplan_meier(exit=np.array(weeks, dtype=float), event=np.array(left, dtype=bool))
    assert km.table["time"].to_list() == [6, 7, 10, 13, 16, 22, 23]
    assert km.table["at_risk"].to_list() == [21, 17, 15, 12, 11, 7, 6]
    assert [round(s, 3) for s in km.table["survival"]] == [
        0.857,
        0.807,
        0.753,
        0.690,
        0.627,
        0.538,
        0.448,
    ]
    assert km.median() == 23.0
    assert km.survival_at(35) == pytest.approx(0.448, abs=5e-4)  # flat after the last event


def test_no_events_and_no_subjects() -> None:
    km = kaplan_meier(exit=np.array([3.0, 5.0]), event=np.array([False, False]))
    assert km.table.is_empty() and km.survival_at(4) == 1.0 and km.median() is None
    empty = kaplan_meier(exit=np.array([]), event=np.array([], dtype=bool))
    assert (empty.subjects, empty.last_time, empty.survival_at(1)) == (0, None, None)


def test_with_no_one_observed_from_the_start_the_shares_are_unknown() -> None:
    """Everyone entered late (at 100 and 300): the product estimates survival given survival to
    100, so neither S(t) nor the median is the unconditional figure."""
    km = kaplan_meier(
        exit=np.array([200.0, 400.0]), event=np.array([True, True]), entry=np.array([100.0, 300.0])
    )
    assert km.table["survival"].to_list() == [0.0, 0.0]  # one at risk at 200, one at 400
    assert (km.from_origin, km.survival_at(250), km.median()) == (False, None, None)


def test_entering_after_leaving_is_refused() -> None:
    with pytest.raises(ValueError, match="entry < exit"):
        kaplan_meier(exit=np.array([2.0]), event=np.array([True]), entry=np.array([2.0]))
