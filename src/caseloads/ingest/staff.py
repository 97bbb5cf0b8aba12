"""The ``staff`` extract: the council's live HR picture of its social workers (design.md §4).

One CSV, one row per assignment: ``worker_ref, swe_number, post_id, team, role, org_role,
contract, fte, start_date, end_date, leaving_reason, qualified_date, asye_start``. Every column
must be in the header. ``post_id``, ``org_role``, ``leaving_reason``, ``qualified_date``,
``asye_start``, ``swe_number`` (not every worker is registered yet) and ``end_date`` (open
assignments) may be empty; the rest are required.

Rules: ``contract`` is one of :data:`~caseloads.ingest.codes.CONTRACTS` (any case, spaces or
hyphens for ``_``); ``org_role`` is the CSWW OrgRole 1-6 (definitions.md §1.4); ``leaving_reason``
is the CSWW ReasonLeave 1-10 (§1.6); ``fte`` is 0-1.5; an end before its start is ``date.order``;
one worker's assignments overlapping in time is ``overlap`` (a warning: the CSWW guide covers staff
holding two roles at once, and both are counted); an SWE number not two letters and ten
digits is ``swe.shape`` (warning); a worker's ``swe_number``, ``qualified_date`` or ``asye_start``
given differently on two rows is ``conflict``.

Frames: ``workers`` (one row per worker, the per-worker values from any of their rows) and
``assignments`` (one per row). ``worker_ref`` is hashed in the authority's ``worker`` namespace,
``swe_number`` in the national SWE namespace; ``post_id`` is kept as given (a budget line, not a
person). Teams: each distinct ``team``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from caseloads.ingest import checks
from caseloads.ingest.codes import CONTRACTS, MAX_FTE, ORG_ROLE, REASON_LEAVE
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.identifiers import pseudonymise
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.schema import Field, Schema
from caseloads.ingest.sources import resolve_la
from caseloads.ingest.tabular import read_typed_csv, unread_extract
from caseloads.ingest.targets import conform, mentioned_teams

KIND = "staff"
SCHEMA = Schema(
    (
        Field("worker_ref", "worker_id", "id", required=True, namespace="worker"),
        Field("swe_number", "swe_hash", "id", namespace="swe"),
        Field("post_id", "post_id"),
        Field("team", "team_id", required=True),
        Field("role", "role", required=True),
        Field("org_role", "org_role", "int", minimum=ORG_ROLE[0], maximum=ORG_ROLE[1]),
        Field("contract", "contract", "code", required=True, codes=CONTRACTS),
        Field("fte", "fte", "float", required=True, minimum=0, maximum=MAX_FTE),
        Field("start_date", "start_date", "date", required=True),
        Field("end_date", "end_date", "date"),
        Field(
            "leaving_reason",
            "leaving_reason",
            "int",
            minimum=REASON_LEAVE[0],
            maximum=REASON_LEAVE[1],
        ),
        Field("qualified_date", "qualified_date", "date"),
        Field("asye_start", "asye_start", "date"),
    )
)
_PER_WORKER = ("swe_hash", "qualified_date", "asye_start")
_LABELS = {f.target: f.source for f in SCHEMA.fields}


def read_staff(
    path: Path, *, la_code: str | None, pseudonymiser: Pseudonymiser, max_file_bytes: int
) -> Extract:
    findings = Findings()
    la = resolve_la(la_code, kind=KIND, file=path.name, findings=findings)
    typed = read_typed_csv(path, SCHEMA, max_file_bytes=max_file_bytes, findings=findings)
    if typed is None:
        return unread_extract(KIND, la, findings)
    frame, file = typed.frame, typed.name
    checks.date_order(frame, "start_date", "end_date", file=file, findings=findings)
    checks.swe_shape(frame, "swe_hash", file=file, findings=findings, label="swe_number")
    checks.overlaps(
        frame,
        "worker_id",
        "start_date",
        "end_date",
        file=file,
        findings=findings,
        message="this assignment overlaps another of the same worker: both are counted "
        "(the CSWW allows two roles at once; FTE is not de-duplicated)",
        severity="warning",
    )
    checks.conflicts(
        frame,
        "worker_id",
        _PER_WORKER,
        file=file,
        findings=findings,
        labels=_LABELS,
        private=("swe_hash",),
    )
    frame = pseudonymise(frame, SCHEMA, pseudonymiser, la)
    workers = frame.group_by("worker_id", maintain_order=True).agg(
        pl.col(c).drop_nulls().first() for c in _PER_WORKER
    )
    assignments = conform(frame, "assignments", file=file, findings=findings, labels=_LABELS)
    return Extract(
        kind=KIND,
        la_code=la,
        files=[typed.source],
        findings=findings,
        frames={
            "workers": conform(workers, "workers", file=file, findings=findings),
            "assignments": assignments,
        },
        teams=mentioned_teams([assignments]),
    )
