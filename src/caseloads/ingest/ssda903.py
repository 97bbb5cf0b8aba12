"""The ``ssda903`` extract: the DfE children looked after return as a folder of CSV tables.

Sources: the 903 table and column headers by collection year (definitions.md [S12]); the DfE/D2I
903 validator (GitHub ``data-to-insight/csc-validator-be-903``, MIT) for code lists and for the
rules whose validator codes are cited below; definitions.md §4 (children looked after) and §1.6
(the social-worker table from 2023-24). Fields, code lists and what each table becomes:
:mod:`caseloads.ingest.ssda903_tables`.

**The folder.** One CSV per table, named by the table (case-insensitive): ``header.csv`` and
``episodes.csv`` are required (``table.missing`` error); ``reviews.csv`` is expected (absent is a
``table.missing`` warning); ``uasc``, ``missing``, ``oc2``, ``oc3``, ``ad1``,
``placed_for_adoption`` (or ``placed_adoption``), ``previous_permanence`` (or ``prev_perm``) and
``sw_episodes`` (or ``social_worker``, the DfE's name) may be absent. Any other file is
``file.unknown`` (warning); two files for one table are ``file.duplicate`` (error). Dates are
``dd/mm/yyyy`` (as the DfE writes them) or ISO; files are UTF-8 (BOM optional) or Windows-1252
(csv_io.py).

**Authorities and years.** A council's own return is one authority and one collection year: the
authority is ``la_code`` (required, ``la.missing``) and the year ``year``; the extract's scope is
``str(year)``, so that a re-import replaces only that year's return, and ``as_of`` is 31 March of
that year (the 903 year ends on 31 March). Without a year the scope is "" (the import replaces all
the authority's 903 data), reported as ``year.missing`` (warning). Files pooled by several
councils (liia-tools) carry ``LA`` and ``YEAR`` columns: each row then belongs to the return of
its own LA and YEAR (a blank LA or YEAR is ``required``; a YEAR that is not a year from 2000 to
2099 is ``type.number``/``range``; a table without the column when others have it is
``column.missing``, all errors). :func:`read_ssda903_many` returns one extract per (LA, YEAR);
:func:`read_ssda903` returns the extract when there is one, and otherwise an extract refused with
``la.multiple``. A given ``la_code`` (or ``year``) that differs from the files' LA (YEAR) is
``la.mismatch`` (``year.mismatch``), an error. Findings about the folder or a whole file are in
every extract; findings about a row are in its return's extract.

**Rows.** Besides each field's own rules (schema.py: ``required``, ``type.date``, ``range``,
``code.unknown``): a child twice in ``header`` is ``duplicate.key``; in ``episodes``, a (CHILD,
DECOM) twice is ``duplicate.key``, DEC before DECOM is ``date.order`` (validator rule 356), and an
episode that starts before the child's previous episode ended, or after one with no DEC, is
``overlap`` (rules 501 and 142; by 903 convention the next episode starts ON the previous DEC, which
is not an overlap); MIS_END before MIS_START (rule 567), SW_DEC before SW_DECOM and
DATE_PLACED_CEASED before DATE_PLACED are ``date.order``. A CHILD that is not in ``header`` is
``reference.unknown``: an error in ``episodes``, a warning elsewhere. A coded value outside the
validator's list for its item is a ``code.unknown`` warning (SEX, MISSING and the 0/1 items:
error). Findings show identifiers (CHILD, SW_ID) and dates of birth only as their shape.

**What each table becomes** (frames shaped as store/tables.py; identifiers are keyed hashes in the
authority's namespaces, identifiers.py):

- ``header`` -> ``children``: ``child_id`` = hash of CHILD (``person``); ``birth_month`` =
  YYYY-MM of DOB (never the day); ``sex`` = SEX (1/2 to 2023-24, M/F/U from 2024-25; stored as
  M/F/U like every source's, targets.py); ``ethnicity`` = ETHNIC. UPN, MOTHER and MC_DOB are
  never read. The header's children are the cohort the other tables are checked against.
- ``episodes`` -> ``cla_episodes``: ``cla_episode_id`` = hash of ``CHILD|DECOM`` (DECOM as
  YYYY-MM-DD, namespace ``cla_episode``), so the same episode in two years' returns has the same
  id; DECOM ``start_date``, RNE ``start_reason``, DEC ``ceased_date``, REC ``ceased_reason``, CIN
  ``primary_need_code``, LS ``legal_status``, PLACE ``placement_type``, PLACE_PROVIDER
  ``placement_provider``, REASON_PLACE_CHANGE ``reason_place_change``; ``referral_id`` and
  ``entered_care_date`` are empty. HOME_POST, PL_POST (postcodes) and URN are never read.
- ``uasc`` -> ``uasc``: ``child_id``, DUC ``ceased_date``.
- ``reviews`` -> ``cla_reviews``: ``child_id``, REVIEW ``review_date``, REVIEW_CODE
  ``participation_code``.
- ``missing`` -> ``missing_episodes``: MISSING ``missing_type`` (M/A), MIS_START ``start_date``,
  MIS_END ``end_date``.
- ``oc2`` -> ``cla_outcomes``: SDQ_SCORE ``sdq_score`` (0-40), SDQ_REASON ``sdq_reason``, and the
  0/1 items CONVICTED ... INTERVENTION_OFFERED as booleans.
- ``oc3`` -> ``care_leavers``: ``care_leaver_id`` = hash of CHILD (``care_leaver``); IN_TOUCH
  ``in_touch``, ACTIV ``activity``, ACCOM ``accommodation``; the SSD-only columns are empty.
- ``ad1`` -> ``adoptions``: DATE_INT ``decision_date``, DATE_MATCH ``match_date``, FOSTER_CARE
  ``foster_care`` (0/1), NB_ADOPTR ``number_of_adopters`` (1-2), SEX_ADOPTR ``sex_of_adopters``,
  LS_ADOPTR ``adopters_legal_status``.
- ``placed_for_adoption`` -> ``placed_for_adoption``: DATE_PLACED, DATE_PLACED_CEASED,
  REASON_PLACED_CEASED.
- ``previous_permanence`` -> ``previous_permanence``: PREV_PERM, LA_PERM, and DATE_PERM as the
  text given (the 903 allows partial dates such as ``zz/zz/2001``; longer than 10 characters is cut,
  ``length`` warning).
- ``sw_episodes`` -> ``involvements`` (the child's allocated social worker, so ``role`` = CW):
  ``involvement_id`` = hash of ``CHILD|SW_ID|SW_DECOM`` (``involvement``); ``worker_id`` = hash of
  SW_ID as a Social Work England registration number (the DfE validator's rule SW02STG1 requires
  it to start ``SW``, or ``XX`` where there is none): spaces removed and upper-cased, hashed in the
  national ``swe`` namespace, so it equals the ``swe_hash`` of the same worker in the staff
  extract and the CSWW return (:data:`SW_ID_KIND`); SW_DECOM ``start_date``, SW_DEC
  ``end_date``, SW_REASON ``change_reason``; ``team_id`` and ``referral_id`` empty.

Coded values are stored in upper case. DOB and SEX repeated in the other tables are not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from caseloads.ingest import checks, parse
from caseloads.ingest.csv_io import ROW, read_csv
from caseloads.ingest.extract import Extract, SourceFile
from caseloads.ingest.findings import Findings
from caseloads.ingest.identifiers import Hasher
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.rule import Rule
from caseloads.ingest.schema import apply_schema
from caseloads.ingest.sources import ZIP_ADVICE, is_zip, load_file, resolve_la
from caseloads.ingest.ssda903_tables import (
    BY_STEM,
    CHILD,
    EPISODES,
    HEADER,
    LA,
    OC3,
    SW_EPISODES,
    TABLES,
    YEAR,
    Table903,
)
from caseloads.ingest.tabular import unread_extract
from caseloads.ingest.targets import conform, empty_frame, teams_frame

KIND = "ssda903"
#: The namespace kind SW_ID is hashed in (identifiers.py). SW_ID is the worker's Social Work
#: England number (validator rule SW02STG1: it starts ``SW`` or
#: ``XX``), so it is hashed like every other SWE number.
SW_ID_KIND = "swe"
#: The role of every ``sw_episodes`` involvement: the child's allocated social worker.
ROLE = "CW"
FIRST_YEAR, LAST_YEAR = 2000, 2099

_DESIGN = "design.md §4 (inputs)"
RULES: tuple[Rule, ...] = (
    Rule(
        "la.multiple",
        ("error",),
        "a folder of SSDA903 tables holds several authorities or years (LA and YEAR columns); "
        "it is read as one extract per return",
        _DESIGN,
    ),
    Rule(
        "year.missing",
        ("warning",),
        "an SSDA903 extract whose return year is not known: it replaces all the authority's "
        "SSDA903 data",
        _DESIGN,
    ),
    Rule(
        "year.mismatch",
        ("error",),
        "the files' YEAR differs from the year given",
        _DESIGN,
    ),
)

_LA_KEY, _YEAR_KEY, _OK = "_la", "_year", "_assigned"
_OPEN_END = date(9999, 12, 31)
_SHIFT = 1 << 22
_NO_ROWS = pl.DataFrame(schema={ROW: pl.Int64})
_FILES = ", ".join(f"{t.name}.csv" for t in TABLES)


@dataclass(frozen=True, slots=True, order=True)
class Return:
    """One authority's return for one year (``year`` None when not known)."""

    la: str
    year: int | None


@dataclass(frozen=True, slots=True)
class _Table:
    spec: Table903
    name: str
    parts: dict[Return, pl.DataFrame]  # the rows of each return: text columns and _row
    has_la: bool
    has_year: bool


@dataclass(frozen=True, slots=True)
class _Folder:
    name: str
    shared: Findings  # about the folder, the files, and rows of no return
    sources: list[SourceFile]
    tables: dict[str, _Table]
    la: str
    year: int | None
    returns: list[Return]


def _returns(tables: Iterable[_Table], la: str, year: int | None) -> list[Return]:
    """The returns the rows belong to, in order (the given one if there are no rows)."""
    return sorted({r for t in tables for r in t.parts}) or [Return(la, year)]


def read_ssda903(
    path: Path,
    *,
    la_code: str | None,
    pseudonymiser: Pseudonymiser,
    max_file_bytes: int,
    year: int | None = None,
) -> Extract:
    """Read a folder holding one SSDA903 return (see the module doc)."""
    folder = _read_folder(path, la_code, year, max_file_bytes)
    if isinstance(folder, Findings):
        return unread_extract(KIND, (la_code or "").strip(), folder)
    returns = folder.returns
    if len(returns) == 1:
        return _extract(folder, returns[0], pseudonymiser)
    findings = _copy(folder.shared)
    shown = ", ".join(f"{r.la or '?'} {r.year or '?'}" for r in returns[:10])
    findings.error(
        "la.multiple",
        f"the folder holds {len(returns)} returns (LA and YEAR: {shown}"
        f"{', ...' if len(returns) > 10 else ''}); import it as one extract per return",
        folder.name,
    )
    return unread_extract(KIND, folder.la, findings, folder.sources)


def read_ssda903_many(
    path: Path,
    *,
    la_code: str | None,
    pseudonymiser: Pseudonymiser,
    max_file_bytes: int,
    year: int | None = None,
) -> list[Extract]:
    """One extract per (LA, YEAR) return in the folder, in order of LA and YEAR."""
    folder = _read_folder(path, la_code, year, max_file_bytes)
    if isinstance(folder, Findings):
        return [unread_extract(KIND, (la_code or "").strip(), folder)]
    return [_extract(folder, r, pseudonymiser) for r in folder.returns]


# --- the folder --------------------------------------------------------------------------------


def _read_folder(
    path: Path, la_code: str | None, year: int | None, max_file_bytes: int
) -> _Folder | Findings:
    """The folder's tables with each row's return, or the findings of a folder not usable."""
    shared = Findings()
    name = path.name or str(path)
    found = _discover(path, shared)
    if found is None:
        return shared
    sources: list[SourceFile] = []
    read: dict[str, tuple[Table903, str, pl.DataFrame]] = {}
    for spec in TABLES:
        file = found.get(spec.name)
        if file is None:
            _report_absent(spec, name, shared)
            continue
        loaded = load_file(file, max_file_bytes=max_file_bytes, findings=shared)
        if loaded is None:
            continue
        sources.append(loaded.source)
        table = read_csv(loaded, spec.schema.columns(), shared)
        if table is not None:
            read[spec.name] = (spec, table.name, table.frame)
    la = (la_code or "").strip()
    la_column = any(LA in frame.columns for _, _, frame in read.values())
    year_column = any(YEAR in frame.columns for _, _, frame in read.values())
    if not la_column:
        resolve_la(la_code, kind=KIND, file=name, findings=shared)
    if not year_column and year is None:
        shared.warning(
            "year.missing",
            "the return year was not given and the files have no YEAR column, so this import "
            "replaces all the authority's earlier SSDA903 data; give the year to replace only "
            "that year's return",
            name,
        )
    keyed = {
        key: _keyed(spec, file, frame, la, year, la_column, year_column, shared)
        for key, (spec, file, frame) in read.items()
    }
    return _Folder(name, shared, sources, keyed, la, year, _returns(keyed.values(), la, year))


def _discover(folder: Path, findings: Findings) -> dict[str, Path] | None:
    """The 903 table files in ``folder`` by table name; None if the folder cannot be used."""
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
                    "file.missing",
                    f"an SSDA903 extract is a folder of CSV tables ({_FILES}), not one file",
                    name,
                )
            return None
        entries = sorted(folder.iterdir())
    except OSError as exc:
        findings.error("file.unreadable", f"the folder cannot be read: {exc.strerror or exc}", name)
        return None
    found: dict[str, Path] = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        spec = BY_STEM.get(entry.stem.strip().lower())
        if spec is not None and entry.suffix.lower() == ".csv" and entry.is_file():
            if spec.name in found:
                findings.error(
                    "file.duplicate",
                    f"{found[spec.name].name} and {entry.name} both hold the {spec.name} table; "
                    "keep one",
                    entry.name,
                )
                continue
            found[spec.name] = entry
        else:
            findings.warning(
                "file.unknown", f"not an SSDA903 table file ({_FILES}); ignored", entry.name
            )
    return found


def _report_absent(spec: Table903, folder: str, findings: Findings) -> None:
    if spec is HEADER:
        findings.error(
            "table.missing",
            "header.csv is required: it lists the children every other table refers to",
            folder,
        )
    elif spec is EPISODES:
        findings.error(
            "table.missing", "episodes.csv is required: it holds the periods of care", folder
        )
    elif spec.presence == "expected":
        findings.warning(
            "table.missing",
            f"{spec.name}.csv is missing, so no {spec.name} are stored for this return",
            folder,
        )


def _keyed(
    spec: Table903,
    file: str,
    frame: pl.DataFrame,
    la: str,
    year: int | None,
    la_column: bool,
    year_column: bool,
    shared: Findings,
) -> _Table:
    """``frame`` with the return of each row (``_la``, ``_year``) and whether it has one."""
    has_la, has_year = LA in frame.columns, YEAR in frame.columns
    for column, present, wanted in ((LA, has_la, la_column), (YEAR, has_year, year_column)):
        if wanted and not present:
            shared.error(
                "column.missing",
                f"the column {column} is missing, while other tables of the folder have it",
                file,
                1,
                column,
            )
    if has_la:
        la_expr = parse.clean_text(pl.col(LA))
        la_ok = la_expr.is_not_null()
    else:
        la_expr = pl.lit(la if la or not la_column else None, pl.String)
        la_ok = pl.lit(bool(la) or not la_column)
    if has_year:
        text = parse.clean_text(pl.col(YEAR))
        value = parse.integer(text)
        year_ok = value.is_between(FIRST_YEAR, LAST_YEAR).fill_null(False)
        year_expr: pl.Expr = pl.when(year_ok).then(value)
    else:
        year_expr = pl.lit(year, pl.Int64)
        year_ok = pl.lit(year is not None or not year_column)
    if not has_la and not has_year:  # one return, or none (column.missing reported)
        ok = frame.select(la_ok & year_ok).item() if frame.height else False
        parts = {Return(la, year): frame} if ok else {}
        return _Table(spec, file, parts, has_la, has_year)
    keyed = frame.with_columns(
        la_expr.alias(_LA_KEY), year_expr.alias(_YEAR_KEY), (la_ok & year_ok).alias(_OK)
    )
    if not keyed.get_column(_OK).all():
        _report_keys(keyed, file, has_la, has_year, shared)
        keyed = keyed.filter(pl.col(_OK))
    split = keyed.drop(_OK).partition_by([_LA_KEY, _YEAR_KEY], as_dict=True, maintain_order=True)
    parts = {Return(str(key[0]), _year(key[1])): rows for key, rows in split.items()}
    return _Table(spec, file, parts, has_la, has_year)


def _year(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _report_keys(
    frame: pl.DataFrame, file: str, has_la: bool, has_year: bool, shared: Findings
) -> None:
    if has_la:
        blank = frame.filter(parse.clean_text(pl.col(LA)).is_null())
        shared.from_frame(
            blank,
            severity="error",
            rule="required",
            message="LA is required but is empty",
            file=file,
            column=LA,
        )
    if has_year:
        text = parse.clean_text(pl.col(YEAR))
        value = parse.integer(text)
        for rule, message, mask in (
            ("required", "YEAR is required but is empty", text.is_null()),
            ("type.number", "YEAR is not a year", text.is_not_null() & value.is_null()),
            (
                "range",
                f"YEAR must be from {FIRST_YEAR} to {LAST_YEAR}",
                value.is_not_null() & ~value.is_between(FIRST_YEAR, LAST_YEAR),
            ),
        ):
            shared.from_frame(
                frame.filter(mask),
                severity="error",
                rule=rule,
                message=message,
                file=file,
                column=YEAR,
            )


# --- one return --------------------------------------------------------------------------------


def _copy(findings: Findings) -> Findings:
    out = Findings()
    out.extend(findings)
    return out


def _extract(folder: _Folder, ret: Return, p: Pseudonymiser) -> Extract:
    findings = _copy(folder.shared)
    reader = _Reader(findings, Hasher(p, ret.la))
    frames: dict[str, pl.DataFrame] = {}
    for spec in TABLES:  # the header first: it gives the children the others are checked against
        table = folder.tables.get(spec.name)
        if table is None:
            frames[spec.target] = empty_frame(spec.target)
            continue
        rows = table.parts.get(ret)
        if rows is None:  # the table has no rows for this return
            rows = next(iter(table.parts.values()), None)
            rows = (rows if rows is not None else _NO_ROWS).clear()
        _mismatch(folder, table, rows, ret, findings)
        typed = apply_schema(rows, spec.schema, file=table.name, findings=findings)
        frames[spec.target] = reader.frame(spec, table.name, typed)
    return Extract(
        kind=KIND,
        la_code=ret.la,
        files=list(folder.sources),
        findings=findings,
        frames=frames,
        teams=teams_frame(),
        scope="" if ret.year is None else str(ret.year),
        as_of=None if ret.year is None else date(ret.year, 3, 31),
    )


def _mismatch(
    folder: _Folder, table: _Table, rows: pl.DataFrame, ret: Return, findings: Findings
) -> None:
    """A given authority or year that the file's own LA or YEAR contradicts (once per file)."""
    if rows.height == 0:
        return
    row = int(rows.item(0, ROW))
    if table.has_la and folder.la and ret.la != folder.la:
        findings.error(
            "la.mismatch",
            f"the rows are for authority {ret.la}, but authority {folder.la} was given",
            table.name,
            row,
            LA,
            ret.la,
        )
    if table.has_year and folder.year is not None and ret.year != folder.year:
        findings.error(
            "year.mismatch",
            f"the rows are for the year {ret.year}, but the year {folder.year} was given",
            table.name,
            row,
            YEAR,
            ret.year,
        )


class _Reader:
    """Turns the typed tables of one return into stored frames (rules in the module doc)."""

    def __init__(self, findings: Findings, hasher: Hasher) -> None:
        self.findings = findings
        self.hasher = hasher
        self.children: pl.Series | None = None  # the header's, once read

    def frame(self, spec: Table903, file: str, frame: pl.DataFrame) -> pl.DataFrame:
        """The stored frame of one typed table (the header must come first)."""
        if spec is HEADER:
            self.children = frame.get_column(CHILD).drop_nulls()
        self._rules(spec, frame, file)
        frame = self._derive(spec, frame)
        labels = {f.target: f.source for f in spec.fields}
        return conform(frame, spec.target, file=file, findings=self.findings, labels=labels)

    def _rules(self, spec: Table903, frame: pl.DataFrame, file: str) -> None:
        findings, source = self.findings, spec.source
        for target, listed in spec.lists.items():
            value = pl.col(target).str.to_uppercase()
            bad = frame.filter(value.is_not_null() & ~value.is_in(sorted(listed)))
            findings.from_frame(
                bad,
                severity="warning",
                rule="code.unknown",
                message=f"not one of the 903 codes for {source(target).upper()} "
                f"({', '.join(sorted(listed))}); kept as given",
                file=file,
                column=source(target),
                value_col=target,
            )
        for start, end in spec.dates:
            checks.date_order(
                frame,
                start,
                end,
                file=file,
                findings=findings,
                column=source(end),
                start_label=source(start),
            )
        if spec is HEADER:
            checks.duplicate_keys(
                frame,
                CHILD,
                file=file,
                findings=findings,
                column="child",
                what="child",
                private=True,
            )
        if spec is EPISODES:
            checks.duplicate_keys(
                frame,
                [CHILD, "start_date"],
                file=file,
                findings=findings,
                column="decom",
                what="child and start date (CHILD, DECOM)",
                private=True,
            )
            _overlaps(frame, file, findings)
        if spec is not HEADER and self.children is not None:
            checks.unknown_reference(
                frame,
                CHILD,
                self.children,
                file=file,
                findings=findings,
                severity="error" if spec is EPISODES else "warning",
                message="this child is not in header.csv",
                label="child",
            )

    def _derive(self, spec: Table903, frame: pl.DataFrame) -> pl.DataFrame:
        hash_ = self.hasher.hash
        derived = [pl.col(t).str.to_uppercase() for t in spec.codes]
        derived += [(pl.col(t) == "1").alias(t) for t in spec.flags]
        if spec is HEADER:
            derived.append(pl.col("_dob").dt.strftime("%Y-%m").alias("birth_month"))
        frame = frame.with_columns(derived) if derived else frame
        if spec is EPISODES:
            key = _joined(frame, CHILD, "start_date")
            frame = frame.with_columns(hash_(key, "cla_episode").alias("cla_episode_id"))
        elif spec is OC3:
            leaver = hash_(frame.get_column(CHILD), "care_leaver").alias("care_leaver_id")
            frame = frame.with_columns(leaver)
        elif spec is SW_EPISODES:
            key = _joined(frame, CHILD, "worker_id", "start_date")
            frame = frame.with_columns(
                hash_(key, "involvement").alias("involvement_id"),
                hash_(frame.select(parse.swe(pl.col("worker_id"))).to_series(), SW_ID_KIND).alias(
                    "worker_id"
                ),
                pl.lit(ROLE).alias("role"),
            )
        return frame.with_columns(hash_(frame.get_column(CHILD), "person").alias(CHILD))


def _joined(frame: pl.DataFrame, *columns: str) -> pl.Series:
    """``a|b|...`` with dates as YYYY-MM-DD; null if any part is null."""
    parts: Iterable[pl.Expr] = (
        pl.col(c).dt.strftime("%Y-%m-%d") if frame.schema[c] == pl.Date else pl.col(c)
        for c in columns
    )
    return frame.select(pl.concat_str(list(parts), separator="|").alias("_key")).to_series()


def _overlaps(frame: pl.DataFrame, file: str, findings: Findings) -> None:
    """Episodes of a child that start before an earlier one ended (rules 501 and 142).

    903 episodes run from DECOM to DEC and the next one starts on the previous DEC, so a start
    equal to the previous end is not an overlap; an episode without DEC is open. Repeats of one
    (CHILD, DECOM) are ``duplicate.key`` and are not compared again here.

    The latest end so far within each child is a running maximum over the episodes sorted by
    child and start, taken on ``child number * 2**22 + end (days)`` so that it never carries
    from one child to the next (dates up to 9999-12-31 are under 2**22 days): a window per
    child is several times slower with hundreds of thousands of children.
    """
    child = pl.col(CHILD).rle_id().cast(pl.Int64)
    days = pl.col("_end").cast(pl.Int32).cast(pl.Int64)
    spans = (
        frame.filter(pl.col(CHILD).is_not_null() & pl.col("start_date").is_not_null())
        .unique([CHILD, "start_date"], keep="first", maintain_order=True)
        .select(CHILD, ROW, "start_date", pl.col("ceased_date").fill_null(_OPEN_END).alias("_end"))
        .sort([CHILD, "start_date", ROW])
        .with_columns(child.alias("_child"))
        .with_columns(
            (pl.col("_child") * _SHIFT + days).cum_max().shift(1).alias("_reach"),
            pl.col(ROW).shift(1).alias("_previous"),
        )
    )
    reach = pl.col("_reach") - pl.col("_child") * _SHIFT
    same = pl.col("_child") == pl.col("_child").shift(1)
    start = pl.col("start_date").cast(pl.Int32).cast(pl.Int64)
    # concat_str, not pl.format: polars 2.1 panics formatting a shifted column after a filter.
    value = pl.concat_str(
        pl.lit("starts before the episode on row "),
        pl.col("_previous").cast(pl.String),
        pl.lit(" ended"),
    )
    bad = spans.filter(same & (start < reach)).select(ROW, value.alias("_value"))
    findings.from_frame(
        bad.sort(ROW),
        severity="error",
        rule="overlap",
        message="this episode starts before the child's previous episode ended (or the previous "
        "episode has no DEC); a new 903 episode starts on the previous episode's DEC",
        file=file,
        column="decom",
        value_col="_value",
    )
