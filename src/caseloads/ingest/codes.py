"""Code lists shared by several extracts, with their sources.

- Contracts (design.md §3-4): ``permanent``, ``fixed_term``, ``agency``, ``casual``.
- CSWW ``OrgRole`` 1-6 (definitions.md §1.4) and ``ReasonLeave`` 1-10 (§1.6), kept as numbers.
- CSWW ``ReasonAbsence`` (definitions.md §1.6): MAT, OTH, PUB, SIC, TRN, UNA, UNP.
- CSWW ``Ethnicity``: the DfE 18-category codes (definitions.md §1.6, the 2022 XSD).
- Post funding (design.md §3): ``permanent``, ``temporary``.
- Recruitment stages (design.md §4, ``pipeline``): applied, shortlisted, offered, accepted,
  checks, started, withdrawn.
"""

from __future__ import annotations

from caseloads.ingest.parse import code_map

CONTRACTS = code_map(("permanent", "fixed_term", "agency", "casual"))
FUNDING = code_map(("permanent", "temporary"))
ABSENCE_REASONS = code_map(("MAT", "OTH", "PUB", "SIC", "TRN", "UNA", "UNP"))
STAGES = code_map(
    ("applied", "shortlisted", "offered", "accepted", "checks", "started", "withdrawn")
)
_WHITE_MIXED = ("WBRI", "WIRI", "WOTH", "MWBC", "MWBA", "MWAS", "MOTH")
_ASIAN_BLACK = ("AIND", "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH")
ETHNICITIES = code_map((*_WHITE_MIXED, *_ASIAN_BLACK, "CHNE", "OOTH", "REFU", "NOBT"))
ORG_ROLE = (1, 6)
REASON_LEAVE = (1, 10)
#: Largest FTE accepted for one post or assignment (a full-time post plus overtime).
MAX_FTE = 1.5
