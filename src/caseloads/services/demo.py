"""``caseloads demo``: generate synthetic extracts and load them through the ordinary imports.

``small`` and ``council`` are one synthetic authority; ``national`` is every English authority,
each sized from its own published figures. No real person's data is involved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from caseloads.config import Settings
from caseloads.services.bulk import ImportJob, import_many
from caseloads.services.database import open_database
from caseloads.services.imports import ImportResult
from caseloads.services.setup import InitReport, initialise
from caseloads.synthetic.council import GeneratedCouncil, generate_council

Progress = Callable[[str, float], None]
SIZES = ("small", "council", "national")


@dataclass
class DemoReport:
    init: InitReport
    councils: list[GeneratedCouncil]
    imports: list[ImportResult]
    generate_seconds: float
    import_seconds: float

    @property
    def council(self) -> GeneratedCouncil:
        """The (first) generated authority."""
        return self.councils[0]

    @property
    def rows_loaded(self) -> int:
        return sum(sum(r.row_counts.values()) for r in self.imports)


def run_demo(
    settings: Settings,
    *,
    out_dir: Path,
    seed: int,
    size: str,
    today: date,
    la_code: str = "826",
    workers: int | None = None,
    scale: float = 1.0,
    only: list[str] | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """Initialise the database, write the synthetic extracts to ``out_dir`` and import each with
    the same code a council's own files go through. ``national`` writes one folder per authority
    (``out_dir/<la_code>``); ``scale`` and ``only`` shrink it (for tests)."""
    report = progress or (lambda _s, _f: None)
    init = initialise(settings)
    started = time.perf_counter()
    if size == "national":
        from caseloads.synthetic.national import generate_national

        nation = generate_national(
            out_dir,
            seed=seed,
            today=today,
            scale=scale,
            workers=workers,
            only=only,
            progress=lambda step, f: report(f"generating: {step}", 0.4 * f),
        )
        councils = [council for _, council in nation.councils]
    elif size in ("small", "council"):
        councils = [
            generate_council(
                out_dir,
                seed=seed,
                size=size,  # type: ignore[arg-type]
                today=today,
                la_code=la_code,
                progress=lambda step, f: report(f"generating: {step}", 0.4 * f),
            )
        ]
    else:
        raise ValueError(f"size must be one of {SIZES}")
    generated = time.perf_counter()
    db = open_database(settings)
    try:
        jobs = [job for council in councils for job in council_jobs(council)]
        results = import_many(
            db,
            jobs,
            workers=workers if size == "national" else 0,
            imported_by="demo",
            progress=lambda step, f: report(f"importing {step}", 0.4 + 0.6 * f),
        )
    finally:
        db.dispose()
    report("done", 1.0)
    finished = time.perf_counter()
    return DemoReport(init, councils, results, generated - started, finished - generated)


def council_jobs(council: GeneratedCouncil) -> list[ImportJob]:
    """One authority's extracts in load order: the SSD first, since it defines the teams (ids and
    names) that the spreadsheets refer to by name."""
    la = council.la_code
    return [
        ImportJob("ssd", council.ssd_dir, la),
        *(ImportJob("csww", path, la) for path in council.csww_files),
        ImportJob("staff", council.staff_csv, la),
        ImportJob("absences", council.absences_csv, la),
        ImportJob("establishment", council.establishment_csv, la),
        ImportJob("pipeline", council.pipeline_csv, la),
        ImportJob("agency", council.agency_csv, la),
        ImportJob("price-caps", council.price_caps_csv, la),
    ]
