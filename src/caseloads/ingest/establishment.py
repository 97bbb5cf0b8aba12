"""The ``establishment`` extract: the council's budgeted posts (design.md §3-4).

One CSV: ``post_id, team, role, grade, fte, funding, start_date, end_date``. ``grade`` and
``end_date`` (a continuing budget line) may be empty. ``funding`` is ``permanent`` or
``temporary``; ``fte`` is more than 0 and at most 1.5; an end before its start is ``date.order``.
Posts are versioned by dates (a restructure is new rows, never an overwrite), so one ``post_id``
may appear on several rows, but only for periods that do not overlap: an overlap would count the
same budget line twice and is ``duplicate.key``. ``post_id`` is kept as given (a budget line, not
a person). Teams: each distinct ``team``.
"""

from __future__ import annotations

from pathlib import Path

from caseloads.ingest import checks
from caseloads.ingest.codes import FUNDING, MAX_FTE
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.schema import Field, Schema
from caseloads.ingest.sources import resolve_la
from caseloads.ingest.tabular import read_typed_csv, unread_extract
from caseloads.ingest.targets import conform, mentioned_teams

KIND = "establishment"
SCHEMA = Schema(
    (
        Field("post_id", "post_id", required=True),
        Field("team", "team_id", required=True),
        Field("role", "role", required=True),
        Field("grade", "grade"),
        Field("fte", "fte", "float", required=True, minimum=0, above_minimum=True, maximum=MAX_FTE),
        Field("funding", "funding", "code", required=True, codes=FUNDING),
        Field("start_date", "start_date", "date", required=True),
        Field("end_date", "end_date", "date"),
    )
)
_LABELS = {f.target: f.source for f in SCHEMA.fields}


def read_establishment(
    path: Path, *, la_code: str | None, pseudonymiser: Pseudonymiser, max_file_bytes: int
) -> Extract:
    findings = Findings()
    la = resolve_la(la_code, kind=KIND, file=path.name, findings=findings)
    typed = read_typed_csv(path, SCHEMA, max_file_bytes=max_file_bytes, findings=findings)
    if typed is None:
        return unread_extract(KIND, la, findings)
    frame, file = typed.frame, typed.name
    checks.date_order(frame, "start_date", "end_date", file=file, findings=findings)
    checks.overlaps(
        frame,
        "post_id",
        "start_date",
        "end_date",
        file=file,
        findings=findings,
        rule="duplicate.key",
        message="this post id is budgeted on another row for overlapping dates",
        column="post_id",
    )
    posts = conform(frame, "posts", file=file, findings=findings, labels=_LABELS)
    return Extract(
        kind=KIND,
        la_code=la,
        files=[typed.source],
        findings=findings,
        frames={"posts": posts},
        teams=mentioned_teams([posts]),
    )
