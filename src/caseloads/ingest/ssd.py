"""The ``ssd`` extract: a folder of Standard Safeguarding Dataset tables as CSV (design.md §4).

Each file is named after its table (``ssd_person.csv``; the name is compared case-insensitively).
Which tables and fields are read, and what they become: :mod:`caseloads.ingest.ssd_tables`.

Folder rules:

- ``ssd_person`` is required (``table.missing``, error): it is the cohort every other table refers
  to. ``ssd_professionals`` and ``ssd_involvements``, from which caseloads are derived, are core:
  absent is the same rule as a warning. Any other table may be absent.
- An SSD table that ``caseloads`` does not import is ``file.unused`` (warning); any other file is
  ``file.unknown`` (warning); two files for one table are ``file.duplicate`` (error).

Row rules, besides each field's own (schema.py): a record id given twice is ``duplicate.key``;
an SWE number that is not two letters and ten digits is ``swe.shape`` (warning, checks.py);
an end date before its start is ``date.order``; a person id that is not in ``ssd_person`` is
``reference.unknown`` (an error in ``ssd_involvements``, whose rows are the caseloads; a warning
elsewhere). Worker columns hold a ``prof_professional_id`` and are resolved through
``ssd_professionals`` to the professional's worker id: unknown there is ``reference.unknown``
(error in ``ssd_involvements``, warning elsewhere, and the worker id is then hashed from the
professional id itself).

Derived columns:

- ``professionals.worker_id`` = hash of ``prof_staff_id`` in the authority's ``worker`` namespace
  (the namespace of the staff extract's ``worker_ref``), or of ``"prof:" + prof_professional_id``
  when the staff id is empty; without ``ssd_professionals`` the worker columns of the other tables
  are hashed the same way from the professional ids they hold;
- ``professionals.role`` = the job title in lower case, runs of other characters as ``_``;
- ``children.birth_month`` = ``YYYY-MM`` of ``pers_dob`` (else ``pers_expected_dob``): never the
  day (design.md §3).

Teams: the rows of ``ssd_department`` (``dept_team_id``, ``dept_team_name``,
``dept_team_parent_id``), plus any team a row names (``team_id`` columns) that matches neither a
department id nor a department name, as both id and name.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from caseloads.ingest import checks, parse
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.identifiers import Hasher, look_up
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.sources import ZIP_ADVICE, is_zip, resolve_la
from caseloads.ingest.ssd_tables import BY_NAME, PERSON, TABLES, WORKER, SsdTable, spec_fields
from caseloads.ingest.tabular import Typed, read_typed_csv, unread_extract
from caseloads.ingest.targets import (
    conform,
    empty_frame,
    fit_team_lengths,
    mentioned_teams,
    teams_frame,
)

KIND = "ssd"
#: A professional id stands in for a missing staff id with this prefix, so that it can never be
#: mistaken for an HR ``worker_ref`` of the same text.
PROFESSIONAL_PREFIX = "prof:"


def read_ssd(
    path: Path, *, la_code: str | None, pseudonymiser: Pseudonymiser, max_file_bytes: int
) -> Extract:
    findings = Findings()
    la = resolve_la(la_code, kind=KIND, file=path.name, findings=findings)
    found = discover(path, findings)
    if found is None:
        return unread_extract(KIND, la, findings)
    typed: dict[str, Typed] = {}
    for table in TABLES:
        if table.name in found:
            read = read_typed_csv(
                found[table.name], table.schema, max_file_bytes=max_file_bytes, findings=findings
            )
            if read is not None:
                typed[table.name] = read
        else:
            _report_absent(table, path.name, findings)
    reader = _Reader(findings, pseudonymiser, la, typed)
    frames = {t.target: reader.frame(t) for t in TABLES if t.target is not None}
    return Extract(
        kind=KIND,
        la_code=la,
        files=[t.source for t in typed.values()],
        findings=findings,
        frames=frames,
        teams=reader.teams(frames.values()),
    )


def discover(folder: Path, findings: Findings) -> dict[str, Path] | None:
    """The SSD table files in ``folder`` by table name; None if the folder cannot be used."""
    name = folder.name or str(folder)
    try:
        if not folder.exists():
            findings.error("file.missing", "the folder does not exist", name)
            return None
        if not folder.is_dir():
            with folder.open("rb") as fh:
                head = fh.read(4)
            if is_zip(head):
                findings.error("file.zip", ZIP_ADVICE, name)
            else:
                findings.error(
                    "file.missing", "an SSD extract is a folder of CSV files, not one file", name
                )
            return None
        entries = sorted(folder.iterdir())
    except OSError as exc:
        findings.error("file.unreadable", f"the folder cannot be read: {exc.strerror or exc}", name)
        return None
    found: dict[str, Path] = {}
    known = spec_fields()
    for entry in entries:
        if entry.name.startswith("."):
            continue
        table = entry.stem.strip().lower()
        if entry.is_file() and entry.suffix.lower() == ".csv" and table in BY_NAME:
            if table in found:
                findings.error(
                    "file.duplicate",
                    f"{found[table].name} and {entry.name} both hold {table}; keep one",
                    entry.name,
                )
                continue
            found[table] = entry
        elif entry.is_file() and entry.suffix.lower() == ".csv" and table in known:
            findings.warning(
                "file.unused", f"{table} is an SSD table that caseloads does not use", entry.name
            )
        else:
            findings.warning(
                "file.unknown",
                "not an SSD table file (ssd_<table>.csv); ignored",
                entry.name,
            )
    return found


def _report_absent(table: SsdTable, folder: str, findings: Findings) -> None:
    if table.required:
        findings.error(
            "table.missing",
            f"{table.name}.csv is required: every other table refers to its people",
            folder,
        )
    elif table.core:
        extra = (
            "; worker ids are hashed from the professional ids the other tables hold"
            if table.name == "ssd_professionals"
            else ""
        )
        findings.warning(
            "table.missing",
            f"{table.name}.csv is missing, so caseloads cannot be fully derived{extra}",
            folder,
        )


class _Reader:
    """Turns the typed tables of one SSD folder into stored frames (rules in the module doc)."""

    def __init__(
        self, findings: Findings, p: Pseudonymiser, la: str, typed: dict[str, Typed]
    ) -> None:
        self.findings = findings
        self.hasher = Hasher(p, la)
        self.typed = typed
        self.people = self._person_map(typed.get("ssd_person"))
        self.professionals = self._professional_map(typed.get("ssd_professionals"))

    def _person_map(self, read: Typed | None) -> pl.DataFrame | None:
        """Raw person id (``k``) -> hashed child id (``h``), for the people of ``ssd_person``.
        Every other table's person ids are looked up in it once: the join both hashes them and
        finds the unknown ones (a separate membership test per table cost as much again)."""
        if read is None:
            return None
        ids = read.frame.get_column(PERSON).drop_nulls().unique(maintain_order=True)
        return pl.DataFrame({"k": ids, "h": self.hasher.hash(ids, "person", clean=True)})

    def _professional_map(self, read: Typed | None) -> pl.DataFrame | None:
        """Raw professional id (``k``) -> hashed worker id (``h``: of the staff id, else of the
        professional id)."""
        if read is None:
            return None
        frame = read.frame.filter(pl.col("professional_id").is_not_null())
        ref = frame.select(
            pl.coalesce("_staff_id", PROFESSIONAL_PREFIX + pl.col("professional_id"))
        ).to_series()
        return pl.DataFrame(
            {"k": frame.get_column("professional_id"), "h": self.hasher.hash(ref, "worker")}
        ).unique("k", keep="first", maintain_order=True)

    def frame(self, table: SsdTable) -> pl.DataFrame:
        assert table.target is not None
        read = self.typed.get(table.name)
        if read is None:
            return empty_frame(table.target)
        frame, file = read.frame, read.name
        self._row_rules(table, frame, file)
        people = self._hashed_people(table, frame, file)
        if table.has_worker:
            frame = self._resolve_workers(table, frame, file)
        frame = _derive(table, frame, self.hasher)
        if people is not None:
            frame = frame.with_columns(people)
        done = () if people is None else (PERSON,)
        frame = self.hasher.pseudonymise(frame, table.schema, done=done)
        labels = {f.target: f.source for f in table.fields}
        return conform(frame, table.target, file=file, findings=self.findings, labels=labels)

    def _row_rules(self, table: SsdTable, frame: pl.DataFrame, file: str) -> None:
        source = table.schema.source
        if table.key is not None:
            checks.duplicate_keys(
                frame,
                table.key,
                file=file,
                findings=self.findings,
                column=source(table.key),
                what=source(table.key),
                private=True,
            )
        for start, end in table.dates:
            checks.date_order(
                frame,
                start,
                end,
                file=file,
                findings=self.findings,
                column=source(end),
                start_label=source(start),
            )
        for f in table.fields:
            if f.namespace == "swe":
                checks.swe_shape(frame, f.target, file=file, findings=self.findings, label=f.source)

    def _hashed_people(self, table: SsdTable, frame: pl.DataFrame, file: str) -> pl.Series | None:
        """The table's person ids hashed through the ``ssd_person`` look-up, reporting each id
        that is not there (``reference.unknown``) and hashing those on their own; None when
        there is no person column or no ``ssd_person``."""
        if not table.has_person or self.people is None:
            return None
        raw = frame.get_column(PERSON)
        hashed = look_up(raw, self.people)
        unknown = hashed.is_null() & raw.is_not_null()
        if table.name != "ssd_person":
            checks.report_unknown(
                frame,
                PERSON,
                unknown,
                file=file,
                findings=self.findings,
                severity="error" if table.person_error else "warning",
                message="this person is not in ssd_person",
                label=table.schema.source(PERSON),
            )
        rows = unknown.arg_true()
        if rows.len():
            hashed = hashed.scatter(rows, self.hasher.hash(raw.gather(rows), "person", clean=True))
        return hashed.alias(PERSON)

    def _resolve_workers(self, table: SsdTable, frame: pl.DataFrame, file: str) -> pl.DataFrame:
        if self.professionals is None:
            prefixed = (PROFESSIONAL_PREFIX + frame.get_column(WORKER)).alias(WORKER)
            return frame.with_columns(self.hasher.hash(prefixed, "worker").alias(WORKER))
        raw = frame.get_column(WORKER)
        resolved = look_up(raw, self.professionals)
        # The look-up finds the unknown professionals too: no separate membership test.
        missing = resolved.is_null() & raw.is_not_null()
        checks.report_unknown(
            frame,
            WORKER,
            missing,
            file=file,
            findings=self.findings,
            severity="error" if table.person_error else "warning",
            message="this professional is not in ssd_professionals",
            label=table.schema.source(WORKER),
        )
        # Only the rows whose professional is unknown fall back to the professional id's hash.
        unknown = missing.arg_true()
        if unknown.len():
            prefixed = PROFESSIONAL_PREFIX + raw.gather(unknown)
            resolved = resolved.scatter(unknown, self.hasher.hash(prefixed, "worker"))
        return frame.with_columns(resolved.alias(WORKER))

    def teams(self, frames: Iterable[pl.DataFrame]) -> pl.DataFrame:
        rows = self.typed.get("ssd_department")
        mentioned = mentioned_teams(frames)
        if rows is None:
            return mentioned
        checks.duplicate_keys(
            rows.frame, "team_id", file=rows.name, findings=self.findings, column="dept_team_id"
        )
        departments = rows.frame.with_columns(pl.coalesce("name", "team_id").alias("name"))
        departments = fit_team_lengths(departments, file=rows.name, findings=self.findings)
        known = pl.concat(
            [departments.get_column("team_id"), departments.get_column("name")]
        ).drop_nulls()
        extra = mentioned.filter(~pl.col("team_id").is_in(known.implode()))
        return teams_frame(pl.concat([teams_frame(departments), extra]))


def _derive(table: SsdTable, frame: pl.DataFrame, hasher: Hasher) -> pl.DataFrame:
    if table.name == "ssd_person":
        born = pl.coalesce("_dob", "_expected_dob").dt.strftime("%Y-%m")
        return frame.with_columns(born.alias("birth_month"))
    if table.name == "ssd_professionals":
        ref = frame.select(
            pl.coalesce("_staff_id", PROFESSIONAL_PREFIX + pl.col("professional_id"))
        ).to_series()
        return frame.with_columns(
            parse.slug(pl.col("job_title"), 32).alias("role"),
            hasher.hash(ref, "worker").alias(WORKER),
        )
    return frame
