"""One Python pass over a parsed CIN census document, into column lists of text.

The tree walk is the only per-element Python in the CIN census reader (cin_census.py): each
record group (``Child``, ``CINdetails``, ``Assessments`` ...) becomes a :class:`Table` of text
columns named by the element's path below ``Child`` (``CINdetails/CINreferralDate``), with the
``_row`` of its ``Child`` (the 1-based position of the ``Child`` element, as findings number it)
and ``_parent``, the index of the record it belongs to in the parent table. Everything else (types,
rules, identifiers) is done afterwards on these columns with vectorised Polars.

While walking, an element the specification does not define for its place is remembered for an
``xml.unknown`` warning, and an item that may appear once but appears again in the same record for
an ``xml.repeated`` error. Items that are read only to be dropped (UPNs, the date of death, the
assessment's internal review date) are recognised but never copied into a column, so they can
never reach a frame or a finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from xml.etree.ElementTree import Element

import polars as pl

from caseloads.ingest.csv_io import ROW
from caseloads.ingest.xml_io import local_name

PARENT = "_parent"

_IDENTIFIERS = ("LAchildID", "PersonBirthDate", "ExpectedPersonBirthDate", "GenderCurrent", "Sex")
_IDENTIFIERS_DROPPED = ("UPN", "FormerUPN", "UPNunknown", "PersonDeathDate")
_CIN = (
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "CINclosureDate",
    "ReasonForClosure",
    "DateOfInitialCPC",
    "ReferralNFA",
)
_ASSESSMENT = ("AssessmentActualStartDate", "AssessmentAuthorisationDate")
_CIN_PLAN = ("CINPlanStartDate", "CINPlanEndDate")
_S47 = ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired")
_CPP = (
    "CPPstartDate",
    "CPPendDate",
    "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse",
    "NumberOfPreviousCPP",
)

IDENTIFIERS = "ChildIdentifiers"
CHARACTERISTICS = "ChildCharacteristics"
CINDETAILS = "CINdetails"
ASSESSMENTS = f"{CINDETAILS}/Assessments"
FACTORS = f"{ASSESSMENTS}/FactorsIdentifiedAtAssessment"
CIN_PLANS = f"{CINDETAILS}/CINPlanDates"
SECTION47 = f"{CINDETAILS}/Section47"
CPPS = f"{CINDETAILS}/ChildProtectionPlans"
REVIEWS = f"{CPPS}/Reviews"
#: Where a child's disabilities may be: inside ChildCharacteristics (the specification) or, in
#: some suppliers' files, directly inside Child.
DISABILITY_PLACES = (f"{CHARACTERISTICS}/Disabilities", "Disabilities")
_GENDER = f"{IDENTIFIERS}/GenderCurrent"
_SEX = f"{IDENTIFIERS}/Sex"

Values = dict[str, str | None]
Handler = Callable[[Element, int, int], None]


def paths(group: str, items: Iterable[str]) -> tuple[str, ...]:
    return tuple(f"{group}/{item}" for item in items)


class Table:
    """Text columns of one record group, one list per column, plus ``_row`` and ``_parent``."""

    def __init__(self, columns: Iterable[str]) -> None:
        self.rows: list[int] = []
        self.parents: list[int] = []
        self.columns: dict[str, list[str | None]] = {c: [] for c in columns}

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: int, parent: int, values: Values) -> None:
        self.rows.append(row)
        self.parents.append(parent)
        for name, column in self.columns.items():
            column.append(values.get(name))

    def frame(self) -> pl.DataFrame:
        schema: dict[str, pl.DataType] = {ROW: pl.Int64(), PARENT: pl.Int64()}
        schema |= dict.fromkeys(self.columns, pl.String())
        return pl.DataFrame({ROW: self.rows, PARENT: self.parents, **self.columns}, schema=schema)


def _text(element: Element) -> str | None:
    text = element.text
    if text is None:
        return None
    return text.strip() or None


class Flattened:
    """The text of every record of a CIN census return, table by table (see the module doc)."""

    def __init__(self) -> None:
        self.children = Table((*paths(IDENTIFIERS, _IDENTIFIERS), f"{CHARACTERISTICS}/Ethnicity"))
        self.disabilities = {place: Table((f"{place}/Disability",)) for place in DISABILITY_PLACES}
        self.cin = Table(paths(CINDETAILS, _CIN))
        self.assessments = Table(paths(ASSESSMENTS, _ASSESSMENT))
        self.factors = Table((f"{FACTORS}/AssessmentFactors",))
        self.cin_plans = Table(paths(CIN_PLANS, _CIN_PLAN))
        self.s47 = Table(paths(SECTION47, _S47))
        self.cpps = Table(paths(CPPS, _CPP))
        self.reviews = Table((f"{REVIEWS}/CPPreviewDate",))
        #: (row, path) of every item given twice in one record.
        self.repeated: list[tuple[int, str]] = []
        #: path -> rows of every element not defined for its place.
        self.unknown: dict[str, list[int]] = defaultdict(list)
        #: rows of the children given both GenderCurrent and Sex.
        self.both_sexes: list[int] = []
        self._names: dict[object, str] = {}
        single = {
            IDENTIFIERS: (*_IDENTIFIERS, *_IDENTIFIERS_DROPPED),
            CHARACTERISTICS: ("Ethnicity",),
            CINDETAILS: _CIN,
            ASSESSMENTS: (*_ASSESSMENT, "AssessmentInternalReviewDate"),
            CIN_PLANS: _CIN_PLAN,
            SECTION47: _S47,
            CPPS: _CPP,
        }
        self._single: dict[str, dict[str, str]] = {
            group: {item: f"{group}/{item}" for item in items} for group, items in single.items()
        }
        self._groups: dict[str, Mapping[str, Handler]] = {
            IDENTIFIERS: {},
            CHARACTERISTICS: {"Disabilities": self._characteristics_disabilities},
            CINDETAILS: {
                "Assessments": self._assessment,
                "CINPlanDates": self._cin_plan,
                "Section47": self._section47,
                "ChildProtectionPlans": self._cpp,
            },
            ASSESSMENTS: {"FactorsIdentifiedAtAssessment": self._factors},
            CIN_PLANS: {},
            SECTION47: {},
            CPPS: {"Reviews": self._reviews},
        }

    # --- the walk ------------------------------------------------------------------------------

    def name(self, tag: object) -> str:
        found = self._names.get(tag)
        if found is None:
            found = self._names[tag] = local_name(tag)
        return found

    def child(self, element: Element, row: int) -> None:
        values: Values = {}
        for part in element:
            name = self.name(part.tag)
            if name == "CINdetails":
                self._record(part, CINDETAILS, self.cin, row, row - 1)
            elif name in (IDENTIFIERS, CHARACTERISTICS):
                self._leaves(part, name, values, row, row - 1)
            elif name == "Disabilities":
                self._list(
                    part,
                    "Disabilities",
                    "Disability",
                    self.disabilities["Disabilities"],
                    row,
                    row - 1,
                )
            elif name:
                self.unknown[name].append(row)
        if _GENDER in values and _SEX in values:
            self.both_sexes.append(row)
        self.children.add(row, row - 1, values)

    def _record(self, element: Element, group: str, table: Table, row: int, parent: int) -> None:
        values: Values = {}
        self._leaves(element, group, values, row, len(table))
        table.add(row, parent, values)

    def _leaves(self, element: Element, group: str, values: Values, row: int, index: int) -> None:
        single = self._single[group]
        groups = self._groups[group]
        for item in element:
            name = self.name(item.tag)
            if not name:
                continue
            key = single.get(name)
            if key is not None:
                if key in values:
                    self.repeated.append((row, key))
                else:
                    values[key] = _text(item)
                continue
            handler = groups.get(name)
            if handler is not None:
                handler(item, row, index)
            else:
                self.unknown[f"{group}/{name}"].append(row)

    def _list(
        self, element: Element, group: str, item_name: str, table: Table, row: int, parent: int
    ) -> None:
        key = f"{group}/{item_name}"
        for item in element:
            name = self.name(item.tag)
            if name == item_name:
                table.add(row, parent, {key: _text(item)})
            elif name:
                self.unknown[f"{group}/{name}"].append(row)

    def _characteristics_disabilities(self, element: Element, row: int, parent: int) -> None:
        place = DISABILITY_PLACES[0]
        self._list(element, place, "Disability", self.disabilities[place], row, parent)

    def _assessment(self, element: Element, row: int, parent: int) -> None:
        self._record(element, ASSESSMENTS, self.assessments, row, parent)

    def _factors(self, element: Element, row: int, parent: int) -> None:
        self._list(element, FACTORS, "AssessmentFactors", self.factors, row, parent)

    def _cin_plan(self, element: Element, row: int, parent: int) -> None:
        self._record(element, CIN_PLANS, self.cin_plans, row, parent)

    def _section47(self, element: Element, row: int, parent: int) -> None:
        self._record(element, SECTION47, self.s47, row, parent)

    def _cpp(self, element: Element, row: int, parent: int) -> None:
        self._record(element, CPPS, self.cpps, row, parent)

    def _reviews(self, element: Element, row: int, parent: int) -> None:
        self._list(element, REVIEWS, "CPPreviewDate", self.reviews, row, parent)
