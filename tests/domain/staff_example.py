"""A small staff extract, worked by hand in tests/domain/test_workforce_live.py and
test_workforce_turnover.py: assignments, involvements and absences of one authority ("900")."""

from __future__ import annotations

from datetime import date

import polars as pl

AS_OF = date(2024, 9, 30)  # the 12 months 2023-10-01 .. 2024-09-30 (254 working days)
ASSIGNMENT_SCHEMA = {
    "la_code": pl.String,
    "worker_id": pl.String,
    "team_id": pl.String,
    "role": pl.String,
    "org_role": pl.Int64,
    "contract": pl.String,
    "fte": pl.Float64,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "leaving_reason": pl.Int64,
}
SW, SP, TM = "social_worker", "senior_practitioner", "team_manager"
d = date
# (worker, team, role, OrgRole, contract, FTE, start, end, ReasonLeave)
ASSIGNMENTS = [
    ("W1", "T1", SW, 5, "permanent", 1.0, d(2015, 1, 1), d(2023, 12, 31), None),  # promoted ...
    ("W1", "T2", SP, 4, "permanent", 1.0, d(2024, 1, 1), None, None),  # ... the next day
    ("W2", "T1", SW, 5, "permanent", 0.8, d(2018, 1, 1), d(2024, 3, 15), 1),  # resigned ...
    ("W2", "T1", SW, 5, "agency", 1.0, d(2024, 4, 1), None, None),  # ... back through an agency
    ("W3", "T1", SW, 5, "fixed_term", 0.5, d(2024, 2, 1), None, None),  # a starter
    ("W4", "T2", SW, 5, "permanent", 1.0, d(2023, 11, 1), d(2024, 5, 31), 1),  # in and out
    ("W5", "T2", SW, 5, "casual", 0.2, d(2020, 1, 1), None, None),  # directly employed, casual
    ("W6", "T1", TM, 3, "permanent", 1.0, d(2019, 1, 1), None, None),  # two posts at once:
    ("W6", "T2", SW, 5, "permanent", 0.1, d(2024, 1, 1), None, None),  # counted once, as TM
    ("W7", "T2", SW, 5, "permanent", 1.0, d(2010, 1, 1), d(2023, 9, 30), 5),  # left the year before
    ("W8", "T2", SW, 5, "agency", 0.5, d(2024, 9, 1), d(2024, 9, 30), None),  # last day: 30 Sep
    ("W9", "T1", SW, 5, "permanent", 1.0, d(2024, 10, 15), None, None),  # not yet started
    ("W10", "T2", SW, 5, "permanent", 1.0, d(2016, 1, 1), d(2024, 12, 31), 1),  # leaves later
]
# (worker, child, role, start, end)
INVOLVEMENTS = [
    ("W1", "c1", "CW", d(2024, 1, 5), None),
    ("W1", "c1", "CW", d(2024, 6, 1), None),  # the same child twice: one case
    ("W1", "c2", "CW", d(2023, 5, 1), None),
    ("W1", "c3", "IRO", d(2024, 2, 1), None),  # reviewing officer: not a case
    ("W3", "c4", "CW", d(2024, 3, 1), None),
    ("W2", "c5", "CW", d(2024, 5, 1), None),  # agency workers' cases count
    ("W2", "c6", "CW", d(2024, 5, 1), None),
    ("W6", "c7", "CW", d(2024, 1, 1), d(2024, 9, 29)),  # ended the day before
    ("FH1", "c8", "FHLP", d(2024, 1, 1), None),  # not a social worker in the staff extract
]
# (worker, start, end, days, reason)
ABSENCES = [
    ("W1", d(2024, 1, 10), d(2024, 1, 16), 5.0, "SIC"),  # W1 was in T2 by then
    ("W2", d(2023, 12, 1), d(2023, 12, 5), 3.0, "SIC"),
    ("W3", d(2024, 3, 1), d(2024, 3, 2), 2.0, "TRN"),  # training, not sickness
    ("W5", d(2023, 9, 20), d(2023, 10, 5), 4.0, "SIC"),  # began before the period
    ("W4", d(2024, 2, 1), d(2024, 2, 2), 1.5, "SIC"),  # a leaver's days count
]


def frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    assignments = pl.DataFrame(
        [("900", *a) for a in ASSIGNMENTS], schema=ASSIGNMENT_SCHEMA, orient="row"
    )
    involvements = pl.DataFrame(
        [("900", *i) for i in INVOLVEMENTS],
        schema=["la_code", "worker_id", "child_id", "role", "start_date", "end_date"],
        orient="row",
    )
    absences = pl.DataFrame(
        [("900", *a) for a in ABSENCES],
        schema=["la_code", "worker_id", "start_date", "end_date", "working_days_lost", "reason"],
        orient="row",
    )
    return assignments, involvements, absences
