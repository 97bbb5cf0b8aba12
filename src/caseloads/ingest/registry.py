"""The readers by extract kind: what each takes, whether it needs the authority, what it reads.

The import service and the command line (``import``, ``check``) look readers up here, so a
new format is one module plus one entry. Every reader has the same signature::

    read(path, *, la_code, pseudonymiser, max_file_bytes) -> Extract

(readers with ``takes_year`` also take ``year``), and the same contract (extract.py): it
never touches a database and never raises on bad input; every problem is a finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from caseloads.ingest.absences import read_absences
from caseloads.ingest.agency import read_agency
from caseloads.ingest.cin_census import read_cin_census
from caseloads.ingest.csww import read_csww
from caseloads.ingest.establishment import read_establishment
from caseloads.ingest.extract import Extract
from caseloads.ingest.pipeline import read_pipeline
from caseloads.ingest.price_caps import read_price_caps
from caseloads.ingest.reductions import read_reductions
from caseloads.ingest.ssd import read_ssd
from caseloads.ingest.ssda903 import read_ssda903, read_ssda903_many
from caseloads.ingest.staff import read_staff


@dataclass(frozen=True, slots=True)
class ReaderSpec:
    kind: str
    takes: Literal["file", "folder"]
    needs_la: bool
    description: str
    read: Callable[..., Extract]
    #: Accepts ``year`` (the collection year, when the files do not say it).
    takes_year: bool = False
    #: For folders that may hold several authorities' or years' returns: one extract for each.
    read_many: Callable[..., list[Extract]] | None = None


READERS: dict[str, ReaderSpec] = {
    spec.kind: spec
    for spec in (
        ReaderSpec(
            "ssd",
            "folder",
            True,
            "Standard Safeguarding Dataset tables: a folder of ssd_<table>.csv files",
            read_ssd,
        ),
        ReaderSpec(
            "csww",
            "file",
            False,
            "DfE children's social work workforce census return (XML); the authority and year "
            "come from its header",
            read_csww,
        ),
        ReaderSpec(
            "cin-census",
            "file",
            False,
            "DfE children in need census return (XML), collection years 2017 to 2026; the "
            "authority and year come from its header",
            read_cin_census,
        ),
        ReaderSpec(
            "ssda903",
            "folder",
            False,
            "DfE children looked after return (SSDA903): a folder of header.csv, episodes.csv, "
            "uasc.csv, reviews.csv, missing.csv, oc2.csv, oc3.csv, ad1.csv, "
            "placed_for_adoption.csv, previous_permanence.csv, sw_episodes.csv; one authority "
            "(--la, --year) or several (LA and YEAR columns)",
            read_ssda903,
            takes_year=True,
            read_many=read_ssda903_many,
        ),
        ReaderSpec(
            "staff",
            "file",
            True,
            "HR extract (CSV): worker_ref, swe_number, post_id, team, role, org_role, contract, "
            "fte, start_date, end_date, leaving_reason, qualified_date, asye_start",
            read_staff,
        ),
        ReaderSpec(
            "absences",
            "file",
            True,
            "absence periods (CSV): worker_ref, start_date, end_date, working_days_lost, reason",
            read_absences,
        ),
        ReaderSpec(
            "establishment",
            "file",
            True,
            "budgeted posts (CSV): post_id, team, role, grade, fte, funding, start_date, end_date",
            read_establishment,
        ),
        ReaderSpec(
            "pipeline",
            "file",
            True,
            "recruitment pipeline (CSV): candidate_ref, team, role, contract, fte, stage, "
            "stage_date, expected_start",
            read_pipeline,
        ),
        ReaderSpec(
            "agency",
            "file",
            True,
            "agency assignments for the DfE agency rules (CSV): worker_ref, agency, role, "
            "start_date, end_date, hourly_rate, qualified_date, "
            "months_post_qualifying_la_experience, last_substantive_employer_region, "
            "last_substantive_end_date, references_received[, cooling_off_exception]",
            read_agency,
        ),
        ReaderSpec(
            "price-caps",
            "file",
            True,
            "regional price caps for agency social workers (CSV): region, role, hourly_cap, "
            "effective_from",
            read_price_caps,
        ),
        ReaderSpec(
            "reductions",
            "file",
            True,
            "per-worker reductions of caseload capacity (CSV): worker_ref, reason "
            "(phased_return, union_duties, secondment, training, other), percent, start_date, "
            "end_date",
            read_reductions,
        ),
    )
}
