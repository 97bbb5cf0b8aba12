"""Helpers for the synthetic-data tests: reading a generated council back from its files, exactly
as an importer would see them, and the England figures they are compared with."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import polars as pl

from caseloads.synthetic.council import GeneratedCouncil

TODAY = date(2026, 11, 22)
HERE = Path(__file__).parent
REPO = HERE.parent.parent
SPEC = REPO / "src" / "caseloads" / "data" / "ssd_fields.csv"
CSWW_SAMPLE = REPO / "tests" / "fixtures" / "xml_samples" / "csww_2022_sample.xml"
ENGLAND = HERE / "england"


@dataclass
class Generated:
    """A generated council read back from its files (every CSV column as text; empty = null)."""

    result: GeneratedCouncil
    ssd: dict[str, pl.DataFrame]
    staff: pl.DataFrame
    absences: pl.DataFrame
    establishment: pl.DataFrame
    pipeline: pl.DataFrame
    csww: dict[int, Element]
    manifest: dict[str, Any]

    def table(self, name: str) -> pl.DataFrame:
        return self.ssd[name]


def read_csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def read_generated(result: GeneratedCouncil) -> Generated:
    ssd = {p.stem: read_csv(p) for p in sorted(result.ssd_dir.glob("*.csv"))}
    csww = {int(p.stem.split("_")[1]): SafeET.parse(p).getroot() for p in result.csww_files}
    return Generated(
        result=result,
        ssd=ssd,
        staff=read_csv(result.staff_csv),
        absences=read_csv(result.absences_csv),
        establishment=read_csv(result.establishment_csv),
        pipeline=read_csv(result.pipeline_csv),
        csww=csww,
        manifest=json.loads((result.out_dir / "manifest.json").read_text("utf-8")),
    )


def england_row(file: str, **match: str) -> dict[str, str]:
    """The row of a trimmed copy of a DfE file (``england/``) whose columns equal ``match``."""
    with (ENGLAND / file).open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if all(row[k] == v for k, v in match.items()):
                return row
    raise KeyError(f"{file}: no row {match}")
