"""English regions: the codes the agency imports accept, and each authority's region.

- Region names are stored as the DfE's statistics spell them (``South East``, ``Yorkshire and The
  Humber``: :data:`caseloads.domain.agency_rules.ENGLISH_REGIONS`). A file may also give the ONS
  region code (``E12000008``) or a common variant (``Yorkshire and the Humber``, ``East``,
  ``Eastern``); comparison ignores case, spaces and hyphens (:func:`caseloads.ingest.parse.code`).
- A worker's last substantive post may have been outside England (``Wales``, ``Scotland``,
  ``Northern Ireland``, ``Outside the UK``), which is always another region.
- An authority's region comes from its DfE number through the bundled DfE tables, as the
  benchmarks read them (:func:`caseloads.ingest.dfe_tables.authorities`: every authority in the
  bundled files, retired ones included, in the region of the latest year it appears in; London
  boroughs in London). A number not in them (a made-up one) has no known region.
"""

from __future__ import annotations

from functools import cache

from caseloads.domain.agency_rules import ENGLISH_REGIONS, OUTSIDE_ENGLAND
from caseloads.ingest.dfe_tables import authorities
from caseloads.ingest.parse import code_map

#: ONS codes of the English regions (the DfE files' ``region_code``), in ENGLISH_REGIONS order.
ONS_CODES = {f"E1200000{i}": name for i, name in enumerate(ENGLISH_REGIONS, start=1)}
_ALIASES = {
    **ONS_CODES,
    "Yorkshire and Humber": "Yorkshire and The Humber",
    "Yorkshire & The Humber": "Yorkshire and The Humber",
    "Yorkshire & Humber": "Yorkshire and The Humber",
    "East": "East of England",
    "Eastern": "East of England",
    "Inner London": "London",
    "Outer London": "London",
}
#: Price caps are agreed in an English region.
REGIONS = code_map(ENGLISH_REGIONS, _ALIASES)
#: Where a substantive post may have been.
ANY_REGIONS = code_map(
    (*ENGLISH_REGIONS, *OUTSIDE_ENGLAND),
    {**_ALIASES, "Outside UK": "Outside the UK", "Overseas": "Outside the UK"},
)


@cache
def la_regions() -> dict[str, str]:
    """DfE authority number -> region name."""
    table = authorities()
    return dict(zip(table.get_column("la_code"), table.get_column("region_name"), strict=True))


def region_of(la_code: str) -> str | None:
    """The authority's English region, or None when the bundled tables do not list it."""
    return la_regions().get(la_code)
