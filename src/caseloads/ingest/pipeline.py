"""The ``pipeline`` extract: candidates on their way into posts (design.md §3-4).

One CSV: ``candidate_ref, team, role, contract, fte, stage, stage_date, expected_start``.
``team`` and ``expected_start`` may be empty. ``stage`` is one of applied, shortlisted, offered,
accepted, checks, started, withdrawn (the candidate's latest stage, dated by ``stage_date``), so a
candidate appears once: a repeated ``candidate_ref`` is ``duplicate.key``. ``contract`` is
permanent, fixed_term, agency or casual; ``fte`` is more than 0 and at most 1.5.
``candidate_ref`` is hashed in the authority's ``candidate`` namespace. Teams: each distinct
``team``.
"""

from __future__ import annotations

from pathlib import Path

from caseloads.ingest import checks
from caseloads.ingest.codes import CONTRACTS, MAX_FTE, STAGES
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.identifiers import pseudonymise
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.schema import Field, Schema
from caseloads.ingest.sources import resolve_la
from caseloads.ingest.tabular import read_typed_csv, unread_extract
from caseloads.ingest.targets import conform, mentioned_teams

KIND = "pipeline"
SCHEMA = Schema(
    (
        Field("candidate_ref", "candidate_id", "id", required=True, namespace="candidate"),
        Field("team", "team_id"),
        Field("role", "role", required=True),
        Field("contract", "contract", "code", required=True, codes=CONTRACTS),
        Field("fte", "fte", "float", required=True, minimum=0, above_minimum=True, maximum=MAX_FTE),
        Field("stage", "stage", "code", required=True, codes=STAGES),
        Field("stage_date", "stage_date", "date", required=True),
        Field("expected_start", "expected_start", "date"),
    )
)
_LABELS = {f.target: f.source for f in SCHEMA.fields}


def read_pipeline(
    path: Path, *, la_code: str | None, pseudonymiser: Pseudonymiser, max_file_bytes: int
) -> Extract:
    findings = Findings()
    la = resolve_la(la_code, kind=KIND, file=path.name, findings=findings)
    typed = read_typed_csv(path, SCHEMA, max_file_bytes=max_file_bytes, findings=findings)
    if typed is None:
        return unread_extract(KIND, la, findings)
    frame, file = typed.frame, typed.name
    checks.duplicate_keys(
        frame,
        "candidate_id",
        file=file,
        findings=findings,
        column="candidate_ref",
        what="candidate",
        private=True,
    )
    frame = pseudonymise(frame, SCHEMA, pseudonymiser, la)
    rows = conform(frame, "pipeline", file=file, findings=findings, labels=_LABELS)
    return Extract(
        kind=KIND,
        la_code=la,
        files=[typed.source],
        findings=findings,
        frames={"pipeline": rows},
        teams=mentioned_teams([rows]),
    )
