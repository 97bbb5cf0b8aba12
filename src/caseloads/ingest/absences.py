"""The ``absences`` extract: periods of sickness and other absence (design.md §4).

One CSV: ``worker_ref, start_date, end_date, working_days_lost, reason``. ``end_date`` may be
empty (still absent). ``reason`` is a CSWW ReasonAbsence code (definitions.md §1.6: MAT, OTH, PUB,
SIC, TRN, UNA, UNP; any case); ``working_days_lost`` is a number, at least 0 (it feeds the DfE
absence rate, definitions.md §1.3); an end before its start is ``date.order``. ``worker_ref`` is
hashed in the authority's ``worker`` namespace, as in the staff extract, so the two join.
"""

from __future__ import annotations

from pathlib import Path

from caseloads.ingest import checks
from caseloads.ingest.codes import ABSENCE_REASONS
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.identifiers import pseudonymise
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.schema import Field, Schema
from caseloads.ingest.sources import resolve_la
from caseloads.ingest.tabular import read_typed_csv, unread_extract
from caseloads.ingest.targets import conform, teams_frame

KIND = "absences"
SCHEMA = Schema(
    (
        Field("worker_ref", "worker_id", "id", required=True, namespace="worker"),
        Field("start_date", "start_date", "date", required=True),
        Field("end_date", "end_date", "date"),
        Field("working_days_lost", "working_days_lost", "float", required=True, minimum=0),
        Field("reason", "reason", "code", required=True, codes=ABSENCE_REASONS),
    )
)


def read_absences(
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
        frames={"absences": conform(frame, "absences", file=file, findings=findings)},
        teams=teams_frame(),
    )
