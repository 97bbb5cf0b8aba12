"""The ``agency`` extract: the facts the DfE agency rules are checked against (definitions.md §2).

One CSV, one row per agency assignment: ``worker_ref, agency, role, start_date, end_date,
hourly_rate, qualified_date, months_post_qualifying_la_experience,
last_substantive_employer_region, last_substantive_end_date, references_received``, and optionally
``cooling_off_exception``. ``worker_ref``, ``agency``, ``role`` and ``start_date`` are required;
every other value may be empty, and a check that needs an empty value says it could not be made
(:mod:`caseloads.domain.agency_rules`), so a partly known assignment still loads.

- ``role`` is one of the five core job types of the price caps (definitions.md §2 rule 1):
  ``social_worker``, ``senior_social_worker``, ``advanced_practitioner`` (also given as assistant
  team manager or principal social worker, which the guidance puts in it), ``team_manager``,
  ``iro_cp_chair`` (also IRO, independent reviewing officer, child protection conference chair).
  Authorities map their posts to these types, as the guidance required; anything else is
  ``code.unknown``.
- ``hourly_rate``: pounds an hour on the price cap's basis (pay, employer national insurance and
  apprenticeship levy), more than 0 and at most 500 (a rate given in pence is ``range``).
- ``months_post_qualifying_la_experience``: whole months of post-qualifying experience in direct
  employment by a UK local authority in a child and family context, 0-600.
- ``last_substantive_employer_region``: an English region, or Wales, Scotland, Northern Ireland,
  Outside the UK (:mod:`caseloads.ingest.regions`); ``last_substantive_end_date`` its last day.
- ``references_received``: practice references obtained before engagement, 0-20.
- ``cooling_off_exception``: ``redundancy`` or ``probation`` when the worker left the substantive
  post that way (the guidance's exceptions to the cooling-off period). Not in the issue's column
  list, so the column may be absent.

Rules across rows: an end before its start is ``date.order``; one worker's assignments overlapping
is ``overlap`` (a warning: each is checked); a worker's ``qualified_date`` given differently on two
rows is ``conflict``; more months of experience than whole months from qualifying to the start is
``experience.exceeds`` (a warning: the check counts no more than the time since qualifying).

Frame: ``agency_placements``. ``worker_ref`` is hashed in the authority's ``worker`` namespace,
the staff extract's, so an agency worker is the same pseudonymous id in both. ``agency`` (a
company) is kept as given.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from caseloads.domain.agency_rules import COOLING_OFF_EXCEPTIONS, JOB_TYPES, whole_months
from caseloads.ingest import checks
from caseloads.ingest.csv_io import ROW
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.identifiers import pseudonymise
from caseloads.ingest.parse import code_map
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.regions import ANY_REGIONS
from caseloads.ingest.schema import Field, Schema
from caseloads.ingest.sources import resolve_la
from caseloads.ingest.tabular import read_typed_csv, unread_extract
from caseloads.ingest.targets import conform, teams_frame

KIND = "agency"
#: The core job types, with the spellings the guidance itself uses for them.
JOB_TYPE_CODES = code_map(
    JOB_TYPES,
    {
        "assistant team manager": "advanced_practitioner",
        "principal social worker": "advanced_practitioner",
        "IRO": "iro_cp_chair",
        "independent reviewing officer": "iro_cp_chair",
        "child protection conference chair": "iro_cp_chair",
        "CP chair": "iro_cp_chair",
    },
)
EXCEPTIONS = code_map(COOLING_OFF_EXCEPTIONS)
MAX_RATE = 500.0
SCHEMA = Schema(
    (
        Field("worker_ref", "worker_id", "id", required=True, namespace="worker"),
        Field("agency", "agency", required=True),
        Field("role", "role", "code", required=True, codes=JOB_TYPE_CODES),
        Field("start_date", "start_date", "date", required=True),
        Field("end_date", "end_date", "date"),
        Field(
            "hourly_rate", "hourly_rate", "float", minimum=0, above_minimum=True, maximum=MAX_RATE
        ),
        Field("qualified_date", "qualified_date", "date"),
        Field(
            "months_post_qualifying_la_experience",
            "months_post_qualifying_la_experience",
            "int",
            minimum=0,
            maximum=600,
        ),
        Field(
            "last_substantive_employer_region",
            "last_substantive_employer_region",
            "code",
            codes=ANY_REGIONS,
        ),
        Field("last_substantive_end_date", "last_substantive_end_date", "date"),
        Field("references_received", "references_received", "int", minimum=0, maximum=20),
        Field(
            "cooling_off_exception",
            "cooling_off_exception",
            "code",
            header="optional",
            codes=EXCEPTIONS,
        ),
    )
)
_LABELS = {f.target: f.source for f in SCHEMA.fields}


def read_agency(
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
        "worker_id",
        "start_date",
        "end_date",
        file=file,
        findings=findings,
        message="this assignment overlaps another of the same worker: each is checked",
        severity="warning",
    )
    checks.conflicts(
        frame, "worker_id", ("qualified_date",), file=file, findings=findings, labels=_LABELS
    )
    _experience_exceeds(frame, file=file, findings=findings)
    frame = pseudonymise(frame, SCHEMA, pseudonymiser, la)
    placements = conform(frame, "agency_placements", file=file, findings=findings, labels=_LABELS)
    return Extract(
        kind=KIND,
        la_code=la,
        files=[typed.source],
        findings=findings,
        frames={"agency_placements": placements},
        teams=teams_frame(),
    )


def _experience_exceeds(frame: pl.DataFrame, *, file: str, findings: Findings) -> None:
    """More months of post-qualifying experience than months from qualifying to the start."""
    months = pl.col("months_post_qualifying_la_experience")
    since = whole_months(pl.col("qualified_date"), pl.col("start_date"))
    bad = frame.filter((months > since).fill_null(False)).select(
        ROW,
        pl.format("{} months; {} months from qualifying to the start", months, since).alias("_v"),
    )
    findings.from_frame(
        bad,
        severity="warning",
        rule="experience.exceeds",
        message="more months of experience than months from qualifying to the start; the check "
        "counts no more than that",
        file=file,
        column="months_post_qualifying_la_experience",
        value_col="_v",
    )
