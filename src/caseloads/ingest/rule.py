"""A rule of the ingest catalogue: its id, the severities it is reported with, and its source."""

from __future__ import annotations

from dataclasses import dataclass

from caseloads.ingest.findings import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severities: tuple[Severity, ...]
    summary: str
    source: str
