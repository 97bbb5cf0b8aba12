"""The ``reductions`` extract: per-worker reductions of caseload capacity with dates (issue 5,
deliverable 3).

One CSV: ``worker_ref, reason, percent, start_date, end_date``. ``reason`` is one of
``phased_return``, ``union_duties``, ``secondment``, ``training`` or ``other`` (any case; spaces
as underscores); ``percent`` is the share of the worker's capacity taken off, more than 0 and at
most 100; ``end_date`` may be empty (open) and is the last day of the reduction (inclusive); an
end before its start is ``date.order``. ``worker_ref`` is hashed in the authority's ``worker``
namespace, as in the staff extract, so the two join. Reductions that overlap add up (capped at
100% in the caseload, domain/caseload.py). The ASYE reduction is not entered here: it follows
from the staff extract's ``asye_start`` and the weighting scheme (``reductions.asye``).

A newer file replaces the authority's earlier one, like every import, so the file is the
authority's whole list of reductions, past ones included.
"""

from __future__ import annotations

from pathlib import Path

from caseloads.ingest import checks
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.identifiers import pseudonymise
from caseloads.ingest.parse import code_map
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.schema import Field, Schema
from caseloads.ingest.sources import resolve_la
from caseloads.ingest.tabular import read_typed_csv, unread_extract
from caseloads.ingest.targets import conform, teams_frame

KIND = "reductions"
REASONS = code_map(("phased_return", "union_duties", "secondment", "training", "other"))
SCHEMA = Schema(
    (
        Field("worker_ref", "worker_id", "id", required=True, namespace="worker"),
        Field("reason", "reason", "code", required=True, codes=REASONS),
        Field(
            "percent",
            "percent",
            "float",
            required=True,
            minimum=0,
            above_minimum=True,
            maximum=100,
        ),
        Field("start_date", "start_date", "date", required=True),
        Field("end_date", "end_date", "date"),
    )
)


def read_reductions(
    path: Path, *, la_code: str | None, pseudonymiser: Pseudonymiser, max_file_bytes: int
) -> Extract:
    findings = Findings()
    la = resolve_la(la_code, kind=KIND, file=path.name, findings=findings)
    typed = read_typed_csv(path, SCHEMA, max_file_bytes=max_file_bytes, findings=findings)
    if typed is None:
        return unread_extract(KIND, la, findings)
    frame, file = typed.frame, typed.name
    checks.date_order(frame, "start_date", "end_date", file=file, findings=findings)
    frame = pseudonymise(frame, SCHEMA, pseudonymiser, la)
    return Extract(
        kind=KIND,
        la_code=la,
        files=[typed.source],
        findings=findings,
        frames={
            "workload_reductions": conform(
                frame, "workload_reductions", file=file, findings=findings
            )
        },
        teams=teams_frame(),
    )
