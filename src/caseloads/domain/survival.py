"""The Kaplan–Meier estimator of a survival function, with left truncation.

Each subject is observed from ``entry`` to ``exit`` (times since its own origin, for example days
since a worker started in post) and ``event`` says whether the exit is the event (they left) or a
censoring (still in post at the end of the data). A subject that entered the data late (left
truncated: ``entry`` > 0, such as a worker who started before the data window opened) is at risk
only after it entered.

With the distinct event times t₁ < t₂ < … , ``dⱼ`` events at tⱼ and ``nⱼ`` subjects at risk at
tⱼ — those with ``entry < tⱼ <= exit`` (entered before tⱼ and not yet left or censored) — the
estimate is the product limit (Kaplan and Meier, 1958; with delayed entry, Klein and
Moeschberger, *Survival Analysis*, 2nd ed., §4.6)::

    S(t) = ∏_{tⱼ <= t} (1 − dⱼ / nⱼ)

A censoring at the same time as an event is taken to follow it (it is still in the risk set).
S is defined up to the largest exit time; beyond it the estimate is unknown (``None``). With late
entry the product estimates S(t) given survival to the earliest entry time; when no subject is
observed from time 0 it is not the unconditional S, so :meth:`KaplanMeier.survival_at` and
:meth:`KaplanMeier.median` give ``None`` (the table still shows the conditional product).

Pure numpy and Polars, no loops over subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class KaplanMeier:
    """A fitted estimate: ``table`` has one row per distinct event time (``time``, ``at_risk``,
    ``events``, ``survival``); ``subjects`` and ``events`` count the input; ``first_entry`` is the
    earliest entry time and ``last_time`` the largest exit time, beyond which S is unknown."""

    table: pl.DataFrame
    subjects: int
    events: int
    first_entry: float | None
    last_time: float | None

    @property
    def from_origin(self) -> bool:
        """Whether some subject is observed from time 0 (so S is not merely conditional)."""
        return self.first_entry == 0.0

    def survival_at(self, t: float) -> float | None:
        """S(t): the share still in post at time ``t`` (1 before the first event; ``None`` after
        the last exit time, where the data say nothing, and when no subject is observed from
        time 0)."""
        if self.last_time is None or t > self.last_time or not self.from_origin:
            return None
        times = self.table["time"].to_numpy()
        survival = self.table["survival"].to_numpy()
        upto = int(np.searchsorted(times, t, side="right"))
        return 1.0 if upto == 0 else float(survival[upto - 1])

    def median(self) -> float | None:
        """The median survival time: the first event time at which S falls to 0.5 or below
        (``None`` if it never does within the data, or no subject is observed from time 0)."""
        if not self.from_origin:
            return None
        reached = self.table.filter(pl.col("survival") <= 0.5)
        return None if reached.is_empty() else float(reached["time"][0])


def kaplan_meier(
    exit: FloatArray | pl.Series,
    event: npt.NDArray[np.bool_] | pl.Series,
    entry: FloatArray | pl.Series | None = None,
) -> KaplanMeier:
    """Fit S from each subject's ``exit`` time, ``event`` flag and (left-truncated subjects)
    ``entry`` time (default 0: everyone observed from their origin). A subject with ``entry >=
    exit`` is never at risk and is an error, as are negative times."""
    t_exit = np.asarray(exit, dtype=np.float64)
    happened = np.asarray(event, dtype=np.bool_)
    t_entry = np.zeros_like(t_exit) if entry is None else np.asarray(entry, dtype=np.float64)
    if not (t_exit.shape == happened.shape == t_entry.shape):
        raise ValueError("exit, event and entry must have the same length")
    if t_exit.size and (np.any(t_entry < 0) or np.any(t_entry >= t_exit)):
        raise ValueError("every subject must enter (entry >= 0) before it exits (entry < exit)")
    times, events = np.unique(t_exit[happened], return_counts=True)
    # at risk at t: entered before t and exits at or after t
    entered = np.searchsorted(np.sort(t_entry), times, side="left")
    gone = np.searchsorted(np.sort(t_exit), times, side="left")
    at_risk = entered - gone
    survival = np.cumprod(1.0 - events / at_risk) if times.size else np.empty(0)
    table = pl.DataFrame(
        {
            "time": times,
            "at_risk": at_risk.astype(np.int64),
            "events": events.astype(np.int64),
            "survival": survival,
        },
        schema={
            "time": pl.Float64,
            "at_risk": pl.Int64,
            "events": pl.Int64,
            "survival": pl.Float64,
        },
    )
    return KaplanMeier(
        table=table,
        subjects=int(t_exit.size),
        events=int(happened.sum()),
        first_entry=float(t_entry.min()) if t_entry.size else None,
        last_time=float(t_exit.max()) if t_exit.size else None,
    )
