"""Generate one council's standard extracts, exactly as its systems would export them.

>>> from datetime import date
>>> from pathlib import Path
>>> from caseloads.synthetic.council import generate_council
>>> result = generate_council(Path("demo-data"), size="small", today=date(2026, 11, 22))
... # doctest: +SKIP

Writes, under ``out_dir``:

- ``ssd/<table>.csv``: the Standard Safeguarding Dataset tables (every field of the bundled field
  list, in its order);
- ``csww/csww_YYYY.xml``: the DfE children's social work workforce census return of each census
  year whose 30 September falls in the five years;
- ``staff.csv``, ``absences.csv``, ``establishment.csv``, ``pipeline.csv``: the HR and finance
  extracts;
- ``agency.csv``, ``price_caps.csv``: the facts for the DfE agency rules and the region's price
  caps (:mod:`caseloads.synthetic.agency`);
- ``manifest.json``: seed, size, authority, ``today``, the population aged 0-17 and the row counts.

Everything is synthetic: no real person's data is read or produced. The same seed, size (or
profile), ``today`` and ``la_code`` give byte-identical files on every machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from caseloads.ingest.regions import region_of
from caseloads.synthetic.agency import (
    AGENCY_COLUMNS,
    PRICE_CAP_COLUMNS,
    agency_table,
    price_caps_table,
)
from caseloads.synthetic.contacts import generate_contacts
from caseloads.synthetic.csww import build_returns, to_xml
from caseloads.synthetic.dates import to_date
from caseloads.synthetic.hr import (
    ABSENCE_COLUMNS,
    ESTABLISHMENT_COLUMNS,
    PIPELINE_COLUMNS,
    STAFF_COLUMNS,
    absence_table,
    establishment_table,
    first_census_start,
    pipeline_table,
    staff_table,
)
from caseloads.synthetic.model import simulate
from caseloads.synthetic.profile import CouncilProfile, profile_for
from caseloads.synthetic.registry import build_registry
from caseloads.synthetic.rng import Streams
from caseloads.synthetic.ssd import SSD_TABLES, ssd_fields, ssd_tables
from caseloads.synthetic.writers import write_csv, write_json, write_text

GENERATOR = "caseloads.synthetic"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class GeneratedCouncil:
    """Where one generated council's files are, and how many rows each holds."""

    la_code: str
    out_dir: Path
    ssd_dir: Path  # out_dir / "ssd"
    csww_files: list[Path]  # out_dir / "csww" / "csww_YYYY.xml", ascending
    staff_csv: Path
    absences_csv: Path
    establishment_csv: Path
    pipeline_csv: Path
    agency_csv: Path
    price_caps_csv: Path
    row_counts: dict[str, int]  # file stem -> data rows (XML: CSWWWorker records)


def generate_council(
    out_dir: Path,
    *,
    seed: int = 1,
    size: Literal["small", "council"] = "council",
    today: date,
    la_code: str = "826",
    progress: Callable[[str, float], None] | None = None,
    profile: CouncilProfile | None = None,
) -> GeneratedCouncil:
    """Generate a council and write its extracts under ``out_dir``.

    ``seed``: the random seed. ``size``: a built-in profile ("small": about 6,000 children, three
    practice teams; "council": about 80,000 children, 12 practice teams), ignored when ``profile``
    is given (for example one built with :meth:`CouncilProfile.from_figures` from an authority's
    published figures). ``today``: the last day of the five years of history (no clock is read).
    ``la_code``: the DfE authority number written into the returns (and mixed into the seed).
    ``progress``: called with a stage name and the fraction done.
    """
    prof = profile if profile is not None else profile_for(size)

    def tick(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    streams = Streams(seed, la_code)
    council = simulate(prof, streams, today, progress=tick)
    tick("records", 0.6)
    contacts = generate_contacts(
        streams.get("contacts"),
        prof,
        council.season,
        council.demand,
        council.casework,
        council.window.history_start,
        council.window.today,
    )
    registry = build_registry(council, contacts, streams.get("identifiers"))
    tables = ssd_tables(registry, streams.get("ssd"))

    out_dir = Path(out_dir)
    ssd_dir = out_dir / "ssd"
    csww_dir = out_dir / "csww"
    ssd_dir.mkdir(parents=True, exist_ok=True)
    csww_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted(csww_dir.glob("csww_*.xml")):
        stale.unlink()
    counts: dict[str, int] = {}
    spec = ssd_fields()
    tick("writing ssd", 0.7)
    for name in SSD_TABLES:
        counts[name] = write_csv(ssd_dir / f"{name}.csv", spec[name], tables[name])

    tick("writing csww", 0.85)
    csww_files: list[Path] = []
    for ret in build_returns(registry):
        path = csww_dir / f"csww_{ret.year}.xml"
        write_text(path, to_xml(ret, la_code))
        csww_files.append(path)
        counts[path.stem] = len(ret.workers)

    tick("writing hr", 0.95)
    staff_csv = out_dir / "staff.csv"
    absences_csv = out_dir / "absences.csv"
    establishment_csv = out_dir / "establishment.csv"
    pipeline_csv = out_dir / "pipeline.csv"
    counts["staff"] = write_csv(staff_csv, STAFF_COLUMNS, staff_table(registry))
    counts["absences"] = write_csv(
        absences_csv,
        ABSENCE_COLUMNS,
        absence_table(registry, first_census_start(council.window.history_start)),
    )
    counts["establishment"] = write_csv(
        establishment_csv, ESTABLISHMENT_COLUMNS, establishment_table(registry)
    )
    counts["pipeline"] = write_csv(
        pipeline_csv, PIPELINE_COLUMNS, pipeline_table(registry, streams.get("pipeline"))
    )
    agency_csv = out_dir / "agency.csv"
    price_caps_csv = out_dir / "price_caps.csv"
    region = region_of(la_code)
    counts["agency"] = write_csv(
        agency_csv, AGENCY_COLUMNS, agency_table(registry, streams.get("agency"), region)
    )
    counts["price_caps"] = write_csv(price_caps_csv, PRICE_CAP_COLUMNS, price_caps_table(region))
    write_json(
        out_dir / "manifest.json",
        {
            "generator": GENERATOR,
            "format_version": FORMAT_VERSION,
            "seed": seed,
            "size": prof.name,
            "la_code": la_code,
            "today": today.isoformat(),
            "history_start": to_date(council.window.history_start).isoformat(),
            "children_0_17": prof.children_0_17,
            "census_years": [int(p.stem.split("_")[1]) for p in csww_files],
            "restructures": [
                {"date": to_date(r.day).isoformat(), "change": r.description}
                for r in council.restructures
            ],
            "row_counts": counts,
        },
    )
    tick("done", 1.0)
    return GeneratedCouncil(
        la_code=la_code,
        out_dir=out_dir,
        ssd_dir=ssd_dir,
        csww_files=csww_files,
        staff_csv=staff_csv,
        absences_csv=absences_csv,
        establishment_csv=establishment_csv,
        pipeline_csv=pipeline_csv,
        agency_csv=agency_csv,
        price_caps_csv=price_caps_csv,
        row_counts=counts,
    )
