"""The ``csww`` extract: the DfE Children's Social Work Workforce census return (XML).

Structure (definitions.md §1.6, the 2022 XSD [S6]): ``Message`` holding ``Header``
(``CollectionDetails/Year``, ``CollectionDetails/ReferenceDate``, ``Source/LEA``), one
``LALevelVacancies`` and one ``CSWWWorker`` per worker and post. The document is parsed only
through defusedxml, with DTDs refused (xml_io.py). Element names are matched exactly (case
included; a namespace prefix is ignored). An element the XSD does not define is ``xml.unknown``
(warning, once per name); an item that may appear once but appears twice in a record is
``xml.repeated`` (error). Findings about a worker give the record's position (the 3rd
``CSWWWorker`` is row 3) and the element name as the column.

The header. The authority is ``Source/LEA`` (``la_code``, if given and different, is
``la.mismatch``); the census year is ``Year`` and becomes the extract's scope (``str(year)``): a
return replaces the authority's earlier return for the same year. ``as_of`` is ``ReferenceDate``,
or 30 September of the year (the census date, definitions.md §1.1). Missing ``LEA``, ``Year``,
``LALevelVacancies`` or workers are errors: the XSD requires them and a return without them would
replace good data with nothing.

``LALevelVacancies`` -> ``csww_vacancies`` (one row): ``NumberOfVacancies`` -> ``vacancy_fte``,
``NoAgencyFTE`` -> ``agency_cover_fte``, ``NoAgencyHeadcount`` -> ``agency_cover_headcount``
(numbers, at least 0, all required by the XSD; the reading of the two agency items is the one in
definitions.md §1.6, whose DfE wording was not retrieved).

``CSWWWorker`` -> ``csww_workers`` (one row each), item by item (codes as in definitions.md §1.6):

- ``AgencyWorker`` -> ``agency`` (0/1, required). ``SWENo`` (required) -> ``worker_id`` and
  ``swe_hash``, both the keyed hash of the SWE number in the national SWE namespace, after
  normalisation (upper case, no spaces); not two letters and ten digits is ``swe.shape``
  (warning).
- ``PersonBirthDate``, ``GenderCurrent``, ``Ethnicity``: only ``birth_year``, ``gender`` (0, 1, 2,
  9) and ``ethnicity`` (the 18 DfE codes) are kept. ``person_key`` is the keyed hash, in the
  ``csww-person`` namespace, of ``SWENo|PersonBirthDate|GenderCurrent|Ethnicity`` (ISO date,
  missing items as empty text): the DfE's headcount de-duplication key (definitions.md §1.1)
  without keeping the birth date.
- ``FTE`` -> ``fte`` and ``FTE30`` -> ``fte30``, both 0-1. Both are kept because the DfE guide's
  distinction between them was not retrieved (definitions.md §1.6: the validator requires
  ``FTE = 0`` for leavers, which suggests ``FTE`` is the FTE held at 30 September; ``FTE30`` is
  mandatory for directly employed workers). Analyses must say which one they use.
- ``OrgRole`` -> ``org_role`` 1-6 (§1.4); ``RoleStartDate`` / ``RoleEndDate`` ->
  ``role_start_date`` / ``role_end_date`` (an end before the start is ``date.order``);
  ``StartOrigin`` -> ``start_origin`` 1-10; ``ReasonLeave`` -> ``reason_leave`` 1-10;
  ``LeaverDestination`` -> ``leaver_destination`` 1-9; ``QualLevel`` -> ``qual_level`` 1-3;
  ``StepUpGrad`` / ``FrontlineGrad`` -> flags (0/1); ``Cases30`` -> ``cases30`` (whole, at
  least 0); ``WorkingDaysLost`` -> ``working_days_lost`` (at least 0).
- Items that may repeat: ``ContractWeeks`` -> ``contract_weeks``, the sum; ``Absat30Sept`` ->
  ``absent_30sep``, true if any is 1; ``ReasonAbsence`` -> ``reason_absence``, the codes in
  document order joined with ``;``; ``CFKSSstatus`` -> ``cfkss_status``, the highest (1 ASYE ...
  4 practice leader). ``QualInst`` (the institution's name) is not kept.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from xml.etree.ElementTree import Element

import polars as pl

from caseloads.ingest import checks
from caseloads.ingest.codes import ABSENCE_REASONS, ETHNICITIES, ORG_ROLE, REASON_LEAVE
from caseloads.ingest.csv_io import ROW
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.identifiers import hash_series, pseudonymise
from caseloads.ingest.parse import code_map
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.schema import Field, FieldType, Schema, apply_schema
from caseloads.ingest.sources import load_file
from caseloads.ingest.tabular import unread_extract
from caseloads.ingest.targets import conform, teams_frame
from caseloads.ingest.xml_io import Record, child_text, children, local_name, parse_xml_records

KIND = "csww"
PERSON_NAMESPACE = "csww-person"
_WORKER = "CSWWWorker"
_MESSAGE_ITEMS = frozenset({"Header", "LALevelVacancies", _WORKER})


def _x(
    element: str,
    target: str,
    kind: FieldType = "int",
    *,
    required: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    codes: dict[str, str] | None = None,
    namespace: str | None = None,
    private: bool = False,
) -> Field:
    return Field(
        element,
        target,
        kind,
        required=required,
        header="optional",
        codes=codes,
        minimum=minimum,
        maximum=maximum,
        namespace=namespace,
        private=private,
    )


WORKER_SCHEMA = Schema(
    (
        _x("AgencyWorker", "agency", "bool", required=True),
        _x("SWENo", "swe_hash", "id", required=True, namespace="swe"),
        _x("FTE", "fte", "float", minimum=0, maximum=1),
        _x("FTE30", "fte30", "float", minimum=0, maximum=1),
        _x("PersonBirthDate", "_birth_date", "date", private=True),
        _x("GenderCurrent", "gender", "code", codes=code_map(("0", "1", "2", "9"))),
        _x("Ethnicity", "ethnicity", "code", codes=ETHNICITIES),
        _x("QualLevel", "qual_level", minimum=1, maximum=3),
        _x("StepUpGrad", "step_up_grad", "bool"),
        _x("FrontlineGrad", "frontline_grad", "bool"),
        _x("OrgRole", "org_role", minimum=ORG_ROLE[0], maximum=ORG_ROLE[1]),
        _x("RoleStartDate", "role_start_date", "date"),
        _x("StartOrigin", "start_origin", minimum=1, maximum=10),
        _x("RoleEndDate", "role_end_date", "date"),
        _x("LeaverDestination", "leaver_destination", minimum=1, maximum=9),
        _x("ReasonLeave", "reason_leave", minimum=REASON_LEAVE[0], maximum=REASON_LEAVE[1]),
        _x("Cases30", "cases30", minimum=0),
        _x("WorkingDaysLost", "working_days_lost", "float", minimum=0),
    )
)
#: Items that may repeat within a worker, and how the repeats are combined.
REPEATED: dict[str, tuple[Field, pl.Expr]] = {
    "ContractWeeks": (
        _x("ContractWeeks", "contract_weeks", "float", minimum=0),
        pl.when(pl.col("contract_weeks").count() > 0).then(pl.col("contract_weeks").sum()),
    ),
    "Absat30Sept": (_x("Absat30Sept", "absent_30sep", "bool"), pl.col("absent_30sep").any()),
    "ReasonAbsence": (
        _x("ReasonAbsence", "reason_absence", "code", codes=ABSENCE_REASONS),
        pl.when(pl.col("reason_absence").count() > 0).then(
            pl.col("reason_absence").drop_nulls().str.join(";")
        ),
    ),
    "CFKSSstatus": (
        _x("CFKSSstatus", "cfkss_status", minimum=1, maximum=4),
        pl.col("cfkss_status").max(),
    ),
}
#: The repeated items read together: one long frame, a row per item given, with the item's text
#: in its own column (the others empty), typed by one schema, grouped by worker once. Each
#: item's combined value is empty for a worker who gave that item nowhere.
REPEATED_SCHEMA = Schema(tuple(field for field, _ in REPEATED.values()))
_ITEM = "_item"
_REPEATED_COMBINED = [
    pl.when((pl.col(_ITEM) == name).any()).then(combine).alias(field.target)
    for name, (field, combine) in REPEATED.items()
]
IGNORED = frozenset({"QualInst"})
VACANCY_SCHEMA = Schema(
    (
        _x("NumberOfVacancies", "vacancy_fte", "float", required=True, minimum=0),
        _x("NoAgencyFTE", "agency_cover_fte", "float", required=True, minimum=0),
        _x("NoAgencyHeadcount", "agency_cover_headcount", required=True, minimum=0),
    )
)
_SINGLE = tuple(f.source for f in WORKER_SCHEMA.fields)
_LABELS = {f.target: f.source for f in WORKER_SCHEMA.fields} | {
    field.target: name for name, (field, _) in REPEATED.items()
}


def read_csww(
    path: Path, *, la_code: str | None, pseudonymiser: Pseudonymiser, max_file_bytes: int
) -> Extract:
    findings = Findings()
    given = (la_code or "").strip()
    loaded = load_file(path, max_file_bytes=max_file_bytes, findings=findings)
    if loaded is None:
        return unread_extract(KIND, given, findings)
    file = loaded.name
    parsed = parse_xml_records(loaded, findings, _WORKER)
    if parsed is None:
        return unread_extract(KIND, given, findings, [loaded.source])
    root, records = parsed
    if local_name(root.tag) != "Message":
        findings.error(
            "xml.structure",
            f"the document is a {local_name(root.tag) or '?'}, not a CSWW census Message",
            file,
        )
        return unread_extract(KIND, given, findings, [loaded.source])
    la, year, as_of = _header(root, given, file, findings)
    _unknown_message_items(root, file, findings)
    vacancies = _vacancies(root, year, file, findings)
    workers = _workers(records, year, file, findings, pseudonymiser)
    return Extract(
        kind=KIND,
        la_code=la,
        files=[loaded.source],
        findings=findings,
        frames={"csww_workers": workers, "csww_vacancies": vacancies},
        teams=teams_frame(),
        scope="" if year is None else str(year),
        as_of=as_of,
    )


def _header(
    root: Element, given: str, file: str, findings: Findings
) -> tuple[str, int | None, date | None]:
    lea = child_text(root, "Header", "Source", "LEA")
    if lea is None:
        findings.error(
            "required", "Header/Source/LEA (the authority) is missing", file, column="LEA"
        )
    elif given and given != lea:
        findings.error(
            "la.mismatch",
            f"the return is for authority {lea}, but authority {given} was given",
            file,
            column="LEA",
            value=lea,
        )
    year_text = child_text(root, "Header", "CollectionDetails", "Year")
    year = int(year_text) if year_text is not None and year_text.isdigit() else None
    if year_text is None:
        findings.error("required", "Header/CollectionDetails/Year is missing", file, column="Year")
    elif year is None or not 2000 <= year <= 2099:
        findings.error(
            "type.number", "Year is not a census year", file, column="Year", value=year_text
        )
        year = None
    reference = child_text(root, "Header", "CollectionDetails", "ReferenceDate")
    as_of: date | None = None if year is None else date(year, 9, 30)
    if reference is not None:
        try:
            as_of = date.fromisoformat(reference)
        except ValueError:
            findings.error(
                "type.date",
                "ReferenceDate is not a date (YYYY-MM-DD)",
                file,
                column="ReferenceDate",
                value=reference,
            )
    return (lea or given), year, as_of


def _unknown_message_items(root: Element, file: str, findings: Findings) -> None:
    for name in sorted({local_name(c.tag) for c in root} - _MESSAGE_ITEMS - {""}):
        findings.warning(
            "xml.unknown", f"{name} is not a CSWW census item; ignored", file, column=name
        )


def _vacancies(root: Element, year: int | None, file: str, findings: Findings) -> pl.DataFrame:
    found = children(root, "LALevelVacancies")
    if not found:
        findings.error(
            "xml.structure", "LALevelVacancies is missing", file, column="LALevelVacancies"
        )
        return conform(pl.DataFrame(), "csww_vacancies", file=file, findings=findings)
    if len(found) > 1:
        findings.error(
            "xml.repeated",
            "LALevelVacancies appears more than once",
            file,
            column="LALevelVacancies",
        )
    known = {f.source for f in VACANCY_SCHEMA.fields}
    values: dict[str, str | None] = {}
    for item in found[0]:
        name = local_name(item.tag)
        if name in known:
            values[name] = (item.text or "").strip() or None
        elif name:
            findings.warning(
                "xml.unknown", f"{name} is not a LALevelVacancies item; ignored", file, column=name
            )
    raw = pl.DataFrame(
        {ROW: [1], **{name: [values.get(name)] for name in sorted(known)}},
        schema={ROW: pl.Int64, **dict.fromkeys(sorted(known), pl.String)},
    )
    typed = apply_schema(raw, VACANCY_SCHEMA, file=file, findings=findings)
    typed = typed.with_columns(pl.lit(year, pl.Int64).alias("census_year"))
    return conform(typed, "csww_vacancies", file=file, findings=findings)


class _Collected:
    """The text of every worker's items: one list per single item, long lists for repeats."""

    def __init__(self) -> None:
        self.single: dict[str, list[str | None]] = {name: [] for name in _SINGLE}
        self.repeated: dict[str, tuple[list[int], list[str | None]]] = {
            name: ([], []) for name in REPEATED
        }
        self.unknown: dict[str, list[int]] = defaultdict(list)
        self.twice: list[tuple[int, str]] = []
        self.count = 0


def _collect(records: list[Record]) -> _Collected:
    out = _Collected()
    for row, record in enumerate(records, start=1):
        current: dict[str, str | None] = {}
        for name, text in record:
            if name in out.single:
                if name in current:
                    out.twice.append((row, name))
                else:
                    current[name] = text
            elif name in out.repeated:
                rows, texts = out.repeated[name]
                rows.append(row)
                texts.append(text)
            elif name and name not in IGNORED:
                out.unknown[name].append(row)
        for name, values in out.single.items():
            values.append(current.get(name))
    out.count = len(records)
    return out


def _repeated_frame(got: _Collected) -> pl.DataFrame:
    """Every repeated item given, item by item in :data:`REPEATED`'s order and within an item in
    the document's order: its worker's row, which item it is, and its text in its own column."""
    rows: list[int] = []
    items: list[str] = []
    texts: dict[str, list[str | None]] = {name: [] for name in REPEATED}
    for name in REPEATED:
        item_rows, item_texts = got.repeated[name]
        rows.extend(item_rows)
        items.extend([name] * len(item_rows))
        for other, column in texts.items():
            column.extend(item_texts if other == name else [None] * len(item_rows))
    return pl.DataFrame(
        {ROW: rows, _ITEM: items, **texts},
        schema={ROW: pl.Int64, _ITEM: pl.String, **dict.fromkeys(REPEATED, pl.String)},
    )


def _workers(
    records: list[Record], year: int | None, file: str, findings: Findings, p: Pseudonymiser
) -> pl.DataFrame:
    if not records:
        findings.error(
            "xml.structure", "the return has no CSWWWorker records", file, column=_WORKER
        )
    got = _collect(records)
    for row, name in got.twice:
        findings.error(
            "xml.repeated", f"{name} appears more than once in this worker", file, row, name
        )
    for name, rows in sorted(got.unknown.items()):
        findings.warning(
            "xml.unknown",
            f"{name} is not a CSWW worker item; ignored ({len(rows)} worker(s))",
            file,
            rows[0],
            name,
        )
    raw = pl.DataFrame(
        {ROW: list(range(1, got.count + 1)), **got.single},
        schema={ROW: pl.Int64, **dict.fromkeys(_SINGLE, pl.String)},
    )
    frame = apply_schema(raw, WORKER_SCHEMA, file=file, findings=findings)
    long = _repeated_frame(got)
    typed = apply_schema(long, REPEATED_SCHEMA, file=file, findings=findings)
    combined = typed.with_columns(long.get_column(_ITEM)).group_by(ROW).agg(_REPEATED_COMBINED)
    frame = frame.join(combined, on=ROW, how="left", maintain_order="left")
    checks.date_order(
        frame,
        "role_start_date",
        "role_end_date",
        file=file,
        findings=findings,
        column="RoleEndDate",
        start_label="RoleStartDate",
    )
    checks.swe_shape(frame, "swe_hash", file=file, findings=findings, label="SWENo")
    # A leaver (RoleEndDate given) must say why and where to: the DfE validator requires
    # ReasonLeave and LeaverDestination with RoleEndDate (definitions.md §1.6). Without them the
    # leaver still counts in turnover, so this is a warning.
    for column, label in (
        ("reason_leave", "ReasonLeave"),
        ("leaver_destination", "LeaverDestination"),
    ):
        silent = frame.filter(pl.col("role_end_date").is_not_null() & pl.col(column).is_null())
        findings.from_frame(
            silent,
            severity="warning",
            rule="leaver.reason",
            message=f"a leaver (RoleEndDate given) without {label}",
            file=file,
            column=label,
        )
    key = pl.concat_str(
        [
            pl.col("swe_hash").fill_null(""),
            pl.col("_birth_date").dt.strftime("%Y-%m-%d").fill_null(""),
            pl.col("gender").fill_null(""),
            pl.col("ethnicity").fill_null(""),
        ],
        separator="|",
    )
    person = hash_series(p, frame.select(key).to_series(), PERSON_NAMESPACE)
    frame = pseudonymise(frame, WORKER_SCHEMA, p, "")
    frame = frame.with_columns(
        pl.col("swe_hash").alias("worker_id"),
        person.alias("person_key"),
        pl.col("_birth_date").dt.year().cast(pl.Int64).alias("birth_year"),
        pl.lit(year, pl.Int64).alias("census_year"),
    )
    return conform(frame, "csww_workers", file=file, findings=findings, labels=_LABELS)
