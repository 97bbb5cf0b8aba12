"""The catalogue of ingest rules: every rule id a reader can report, its severity and its source.

A finding's ``rule`` is one of these ids (``tests/ingest/test_rules.py`` checks that every id the
readers use is listed here). Ids are dotted by family: ``file.*`` for the file as a whole,
``column.*`` for the header, ``type.*`` for a value that cannot be read as its type, ``xml.*`` for
XML documents, ``la.*`` for the authority; the rest are rules about values or rows. A rule with two
severities is an error in one context and a warning in another (the reader's docstring says which);
the first listed is the usual one. ``caseloads check`` can list this catalogue as it stands.
"""

from __future__ import annotations

from caseloads.ingest.cin_census import RULES as CIN_CENSUS_RULES
from caseloads.ingest.rule import Rule
from caseloads.ingest.ssda903 import RULES as SSDA903_RULES

_DESIGN = "design.md §4 (inputs)"
_SEC = "design.md §8 (security model)"

_ALL: tuple[Rule, ...] = (
    # --- the file as a whole
    Rule("file.missing", ("error",), "the path does not exist or is the wrong kind", _DESIGN),
    Rule("file.unreadable", ("error",), "the file could not be read (permissions, I/O)", _DESIGN),
    Rule("file.too_large", ("error",), "the file is larger than max_file_bytes", "config.py"),
    Rule(
        "file.zip", ("error",), "a zip archive (or .xlsx workbook) where CSV/XML is expected", _SEC
    ),
    Rule("file.empty", ("error",), "the file has no content at all", _DESIGN),
    Rule("file.encoding", ("error",), "not UTF-8 or Windows-1252 text", _DESIGN),
    Rule(
        "file.malformed", ("error",), "the CSV cannot be split into records (bad quoting)", _DESIGN
    ),
    Rule("file.ragged", ("error",), "a record has more or fewer fields than the header", _DESIGN),
    Rule("file.no_rows", ("warning",), "the file has a header but no data rows", _DESIGN),
    Rule(
        "file.unknown",
        ("warning",),
        "a file in an extract folder that is not a known table",
        _DESIGN,
    ),
    Rule("file.unused", ("warning",), "a known SSD table that caseloads does not import", _DESIGN),
    Rule("file.duplicate", ("error",), "two files in a folder hold the same table", _DESIGN),
    Rule(
        "table.missing",
        ("error", "warning"),
        "a required (error) or core (warning) SSD table is absent",
        _DESIGN,
    ),
    # --- the header
    Rule(
        "column.missing",
        ("error", "warning"),
        "a required (error) or expected (warning) column is absent",
        _DESIGN,
    ),
    Rule(
        "column.unknown",
        ("warning",),
        "a column that is not in the specification; ignored",
        _DESIGN,
    ),
    Rule("column.duplicate", ("error",), "two columns have the same name", _DESIGN),
    # --- single values
    Rule("required", ("error",), "a required value is empty", "store/tables.py (NOT NULL)"),
    Rule("type.date", ("error",), "not a date (YYYY-MM-DD, ISO date-time or DD/MM/YYYY)", _DESIGN),
    Rule(
        "type.number",
        ("error",),
        "not a number (or not a whole number where one is needed)",
        _DESIGN,
    ),
    Rule("type.flag", ("error",), "not a yes/no flag (Y/N, 1/0, true/false, yes/no)", _DESIGN),
    Rule(
        "code.unknown",
        ("error", "warning"),
        "not one of the codes allowed (a warning where the code list changes by year)",
        "definitions.md §1.4, §1.6; the DfE validators' code lists",
    ),
    Rule(
        "range",
        ("error",),
        "a number or date outside its allowed range",
        "definitions.md §1.6 (XSD ranges)",
    ),
    Rule(
        "length",
        ("warning",),
        "a text longer than its stored column; cut to fit",
        "store/tables.py (column lengths)",
    ),
    Rule(
        "swe.shape",
        ("warning",),
        "an SWE number that is not two letters and ten digits",
        "definitions.md §1.6 (SWENo pattern)",
    ),
    # --- rows against rows
    Rule(
        "date.order",
        ("error",),
        "an end date before its start date",
        "store/tables.py (intervals inclusive, empty end = open)",
    ),
    Rule(
        "overlap",
        ("error", "warning"),
        "periods of one key overlap (CLA episodes of a child: error; a worker's assignments: "
        "warning, since the CSWW guide allows two roles at once)",
        _DESIGN,
    ),
    Rule("duplicate.key", ("error",), "a record id (or post id and dates) given twice", _DESIGN),
    Rule(
        "reference.unknown",
        ("error", "warning"),
        "a reference to a person, professional or record the extract does not contain",
        "SSD foreign keys (ssd_fields.csv)",
    ),
    Rule("conflict", ("error",), "one worker's rows disagree on a per-worker value", _DESIGN),
    Rule(
        "experience.exceeds",
        ("warning",),
        "more months of post-qualifying experience than months from qualifying to the start of "
        "the agency assignment",
        "definitions.md §2 rule 3 (experience after qualifying)",
    ),
    Rule(
        "price_cap.region",
        ("warning",),
        "a price-caps file with no cap for the importing authority's region",
        "definitions.md §2 rule 1 (caps agreed per region)",
    ),
    # --- XML
    Rule("xml.forbidden", ("error",), "a DTD, entity declaration or external reference", _SEC),
    Rule("xml.malformed", ("error",), "not well-formed XML (for example truncated)", _SEC),
    Rule(
        "xml.structure",
        ("error",),
        "the document is not the census message it was imported as (CSWW or CIN census)",
        "definitions.md §1.6 [S6]; DfE CIN census specification",
    ),
    Rule(
        "xml.repeated",
        ("error",),
        "an item that may appear once appears more than once",
        "definitions.md §1.6 [S6]",
    ),
    Rule(
        "xml.unknown",
        ("warning",),
        "an element the census specification does not define",
        "definitions.md §1.6 [S6]",
    ),
    Rule(
        "leaver.reason",
        ("warning",),
        "a CSWW leaver (RoleEndDate given) without ReasonLeave or LeaverDestination",
        "definitions.md §1.6 (validation rules in Social Finance's CSWW tool)",
    ),
    # --- the authority
    Rule(
        "la.missing", ("error",), "no authority code given for an extract that needs one", _DESIGN
    ),
    Rule(
        "la.mismatch",
        ("error",),
        "the file's authority differs from the one given",
        "definitions.md §1.6 (Header/Source/LEA)",
    ),
)

#: Every rule: the shared ones above, then each format's own (kept beside its reader).
RULES: dict[str, Rule] = {r.id: r for r in (*_ALL, *CIN_CENSUS_RULES, *SSDA903_RULES)}

__all__ = ["RULES", "Rule"]
