"""``caseloads demo``: generate the synthetic council and load it through the ordinary imports."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from caseloads.config import Settings
from caseloads.services.database import open_database
from caseloads.services.imports import ImportResult, import_extract
from caseloads.services.setup import InitReport, initialise
from caseloads.synthetic.council import GeneratedCouncil, generate_council

Progress = Callable[[str, float], None]


@dataclass
class DemoReport:
    init: InitReport
    council: GeneratedCouncil
    imports: list[ImportResult]
    generate_seconds: float
    import_seconds: float


def run_demo(
    settings: Settings,
    *,
    out_dir: Path,
    seed: int,
    size: str,
    today: date,
    la_code: str,
    progress: Progress | None = None,
) -> DemoReport:
    """Initialise the database, write the synthetic council's extracts to ``out_dir`` and import
    each with the same code a council's own files go through."""
    report = progress or (lambda _s, _f: None)
    init = initialise(settings)
    started = time.perf_counter()
    council = generate_council(
        out_dir,
        seed=seed,
        size=size,  # type: ignore[arg-type]
        today=today,
        la_code=la_code,
        progress=lambda step, f: report(f"generating: {step}", 0.5 * f),
    )
    generated = time.perf_counter()
    db = open_database(settings)
    try:
        jobs = _jobs(council)
        results: list[ImportResult] = []
        for i, (kind, path) in enumerate(jobs):
            report(f"importing {kind} {path.name}", 0.5 + 0.5 * i / len(jobs))
            results.append(import_extract(db, kind, path, la_code=la_code, imported_by="demo"))
        report("done", 1.0)
    finally:
        db.dispose()
    finished = time.perf_counter()
    return DemoReport(init, council, results, generated - started, finished - generated)


def _jobs(council: GeneratedCouncil) -> list[tuple[str, Path]]:
    # The SSD first: it defines the teams (ids and names) that the spreadsheets refer to by name.
    jobs: list[tuple[str, Path]] = [("ssd", council.ssd_dir)]
    jobs += [("csww", path) for path in council.csww_files]
    jobs += [
        ("staff", council.staff_csv),
        ("absences", council.absences_csv),
        ("establishment", council.establishment_csv),
        ("pipeline", council.pipeline_csv),
    ]
    return jobs
