"""The ``price-caps`` extract: the regional price caps for agency social workers (definitions.md §2
rule 1).

One CSV: ``region, role, hourly_cap, effective_from``, all required. Caps are agreed within each
region (through its Regional Improvement and Innovation Alliance) for the five core job types, and
vary between regions, so they are data, never constants. ``region`` is an English region
(:mod:`caseloads.ingest.regions`); ``role`` a core job type (:data:`caseloads.ingest.agency.
JOB_TYPE_CODES`); ``hourly_cap`` pounds an hour on the cap's basis (pay, employer national
insurance, apprenticeship levy), more than 0 and at most 500; ``effective_from`` the first day the
cap is in force. A later cap for the same region and role replaces it from its own date, so the
file can hold the history of the caps.

Storage: the rows are stored under the authority that imports them (``--la``), like every other
import, and that authority's checks use only the caps of its own region from its own import. A
file may hold every region's caps (one shared file for a region's authorities, or a national
one); the other regions' rows are kept but not used. A file with no cap for the importing
authority's region is ``price_cap.region`` (a warning: its rates cannot be checked).

Rules: the same region, role and ``effective_from`` twice is ``duplicate.key``.
"""

from __future__ import annotations

from pathlib import Path

from caseloads.ingest import checks
from caseloads.ingest.agency import JOB_TYPE_CODES, MAX_RATE
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.regions import REGIONS, region_of
from caseloads.ingest.schema import Field, Schema
from caseloads.ingest.sources import resolve_la
from caseloads.ingest.tabular import read_typed_csv, unread_extract
from caseloads.ingest.targets import conform, teams_frame

KIND = "price-caps"
SCHEMA = Schema(
    (
        Field("region", "region", "code", required=True, codes=REGIONS),
        Field("role", "role", "code", required=True, codes=JOB_TYPE_CODES),
        Field(
            "hourly_cap",
            "hourly_cap",
            "float",
            required=True,
            minimum=0,
            above_minimum=True,
            maximum=MAX_RATE,
        ),
        Field("effective_from", "effective_from", "date", required=True),
    )
)


def read_price_caps(
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
        ["region", "role", "effective_from"],
        file=file,
        findings=findings,
        what="region, role and effective_from",
    )
    region = region_of(la) if la else None
    given = frame.get_column("region").drop_nulls()
    if region is not None and frame.height and not (given == region).any():
        findings.warning(
            "price_cap.region",
            f"no cap for authority {la}'s region ({region}): its agency rates cannot be checked",
            file,
            None,
            "region",
        )
    caps = conform(frame, "price_caps", file=file, findings=findings)
    return Extract(
        kind=KIND,
        la_code=la,
        files=[typed.source],
        findings=findings,
        frames={"price_caps": caps},
        teams=teams_frame(),
    )
