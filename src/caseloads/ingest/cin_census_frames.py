"""From the flattened text of a CIN census return to the stored frames (rules: cin_census.py).

Each record table is typed by its :class:`~caseloads.ingest.schema.Schema` (vectorised; value
rules reported there), joined to its parent by ``_parent``, checked (cin_census_checks.py) and
given its hashed ids (identifiers.py ``Hasher``: one digest per distinct key per read), then
shaped exactly as its stored table (targets.py ``conform``).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from caseloads.ingest import checks
from caseloads.ingest.cin_census_checks import (
    after_reference,
    episode_overlaps,
    iso,
    outside_episode,
    repeated_dates,
)
from caseloads.ingest.cin_census_flatten import (
    ASSESSMENTS,
    CHARACTERISTICS,
    CIN_PLANS,
    CINDETAILS,
    CPPS,
    DISABILITY_PLACES,
    FACTORS,
    IDENTIFIERS,
    PARENT,
    REVIEWS,
    SECTION47,
    Flattened,
    Table,
)
from caseloads.ingest.csv_io import ROW
from caseloads.ingest.findings import Findings
from caseloads.ingest.identifiers import Hasher
from caseloads.ingest.parse import code_map
from caseloads.ingest.schema import Field, FieldType, Schema, apply_schema
from caseloads.ingest.targets import conform

#: ``GenderCurrent`` (the specifications before 2024 to 2025; liia-tools CIN XSD ``gendertype``):
#: 1 male, 2 female, 0 not recorded or unborn, 9 indeterminate.
GENDER_CODES = code_map(("0", "1", "2", "9"))
#: ``Sex`` (N00783): F, M, U (2024 to 2025 specification, CBDS RFC 1233; DfE rule 4180), plus
#: the GenderCurrent codes, which some suppliers still send under the new name.
SEX_CODES = code_map(("F", "M", "U", "0", "1", "2", "9"))
_INDEX = "_index"
_KEY = "_key"


def _x(
    source: str,
    target: str,
    kind: FieldType = "str",
    *,
    required: bool = False,
    private: bool = False,
    codes: dict[str, str] | None = None,
) -> Field:
    # The only whole number is NumberOfPreviousCPP, stored as a SmallInteger.
    low, high = (0.0, 32767.0) if kind == "int" else (None, None)
    return Field(
        source,
        target,
        kind,
        required=required,
        header="optional",
        codes=codes,
        minimum=low,
        maximum=high,
        private=private,
    )


def _schema(group: str, *fields: tuple[str, str, FieldType, bool]) -> Schema:
    return Schema(tuple(_x(f"{group}/{s}", t, k, required=r) for s, t, k, r in fields))


CHILD_SCHEMA = Schema(
    (
        _x(f"{IDENTIFIERS}/LAchildID", "_child", "id", required=True),
        _x(f"{IDENTIFIERS}/PersonBirthDate", "_birth", "date", private=True),
        _x(f"{IDENTIFIERS}/ExpectedPersonBirthDate", "_expected", "date", private=True),
        _x(f"{IDENTIFIERS}/GenderCurrent", "_gender", "code", codes=GENDER_CODES),
        _x(f"{IDENTIFIERS}/Sex", "_sex", "code", codes=SEX_CODES),
        _x(f"{CHARACTERISTICS}/Ethnicity", "ethnicity"),
    )
)
CIN_SCHEMA = _schema(
    CINDETAILS,
    ("CINreferralDate", "referral_date", "date", True),
    ("ReferralSource", "source_code", "str", False),
    ("PrimaryNeedCode", "primary_need_code", "str", False),
    ("CINclosureDate", "close_date", "date", False),
    ("ReasonForClosure", "close_reason", "str", False),
    ("DateOfInitialCPC", "icpc_date", "date", False),
    ("ReferralNFA", "nfa", "bool", False),
)
ASSESSMENT_SCHEMA = _schema(
    ASSESSMENTS,
    ("AssessmentActualStartDate", "start_date", "date", True),
    ("AssessmentAuthorisationDate", "auth_date", "date", False),
)
FACTOR_SCHEMA = _schema(FACTORS, ("AssessmentFactors", "factor", "str", True))
PLAN_SCHEMA = _schema(
    CIN_PLANS,
    ("CINPlanStartDate", "start_date", "date", True),
    ("CINPlanEndDate", "end_date", "date", False),
)
S47_SCHEMA = _schema(
    SECTION47,
    ("S47ActualStartDate", "start_date", "date", True),
    ("InitialCPCtarget", "target_date", "date", False),
    ("DateOfInitialCPC", "icpc_date", "date", False),
    ("ICPCnotRequired", "icpc_not_required", "bool", False),
)
CPP_SCHEMA = _schema(
    CPPS,
    ("CPPstartDate", "start_date", "date", True),
    ("CPPendDate", "end_date", "date", False),
    ("InitialCategoryOfAbuse", "initial_category", "str", False),
    ("LatestCategoryOfAbuse", "latest_category", "str", False),
    ("NumberOfPreviousCPP", "previous_plans", "int", False),
)
REVIEW_SCHEMA = _schema(REVIEWS, ("CPPreviewDate", "review_date", "date", True))
DISABILITY_SCHEMAS = {
    place: _schema(place, ("Disability", "disability", "str", True)) for place in DISABILITY_PLACES
}


def _labels(*schemas: Schema) -> dict[str, str]:
    return {f.target: f.source for schema in schemas for f in schema.fields}


class Frames:
    """Builds the ``cin-census`` frames of one return (see cin_census.py for every rule)."""

    def __init__(
        self, flat: Flattened, file: str, findings: Findings, hasher: Hasher, as_of: date | None
    ) -> None:
        self.flat = flat
        self.file = file
        self.findings = findings
        self.hasher = hasher
        self.as_of = as_of

    def build(self) -> dict[str, pl.DataFrame]:
        kids = self._children()
        disabilities = self._disabilities(kids)
        cin = self._referrals(kids)
        episodes = cin.select(
            pl.col(_INDEX).alias(PARENT),
            "_child",
            "child_id",
            "referral_id",
            _KEY,
            "referral_date",
            "close_date",
        )
        assessments = self._assessments(episodes)
        factors = self._typed(self.flat.factors, FACTOR_SCHEMA).join(
            assessments.select(pl.col(_INDEX).alias(PARENT), "assessment_id", "child_id"),
            on=PARENT,
            how="left",
            maintain_order="left",
        )
        plans = self._plans(episodes)
        s47 = self._s47(episodes)
        icpcs = self._icpcs(cin, s47)
        cpps = self._cpps(episodes)
        reviews = self._typed(self.flat.reviews, REVIEW_SCHEMA).join(
            cpps.select(pl.col(_INDEX).alias(PARENT), "cp_plan_id", "child_id"),
            on=PARENT,
            how="left",
            maintain_order="left",
        )
        shaped: dict[str, tuple[pl.DataFrame, tuple[Schema, ...]]] = {
            "children": (kids, (CHILD_SCHEMA,)),
            "disabilities": (disabilities, tuple(DISABILITY_SCHEMAS.values())),
            "referrals": (cin, (CIN_SCHEMA,)),
            "assessments": (assessments, (ASSESSMENT_SCHEMA,)),
            "assessment_factors": (factors, (FACTOR_SCHEMA,)),
            "s47_enquiries": (s47, (S47_SCHEMA,)),
            "icpcs": (icpcs, (S47_SCHEMA, CIN_SCHEMA)),
            "cin_plans": (plans, (PLAN_SCHEMA,)),
            "cp_plans": (cpps, (CPP_SCHEMA,)),
            "cp_reviews": (reviews, (REVIEW_SCHEMA,)),
        }
        return {
            table: conform(
                frame, table, file=self.file, findings=self.findings, labels=_labels(*schemas)
            )
            for table, (frame, schemas) in shaped.items()
        }

    # --- helpers ------------------------------------------------------------------------------

    def _typed(self, table: Table, schema: Schema) -> pl.DataFrame:
        """Typed columns, ``_row``, ``_parent`` and the record's own ``_index``."""
        raw = table.frame()
        typed = apply_schema(raw, schema, file=self.file, findings=self.findings)
        return typed.with_columns(
            raw.get_column(PARENT), pl.int_range(pl.len(), dtype=pl.Int64).alias(_INDEX)
        )

    def _in_episode(self, table: Table, schema: Schema, episodes: pl.DataFrame) -> pl.DataFrame:
        typed = self._typed(table, schema)
        return typed.join(episodes, on=PARENT, how="left", maintain_order="left")

    def _hash(
        self, frame: pl.DataFrame, parts: list[pl.Expr], kind: str, target: str
    ) -> pl.DataFrame:
        keys = frame.select(pl.concat_str(parts, separator="|").alias("k")).get_column("k")
        return frame.with_columns(self.hasher.hash(keys, kind).alias(target))

    def _order(self, frame: pl.DataFrame, group: str, start: str, end: str, s: str, e: str) -> None:
        checks.date_order(
            frame,
            start,
            end,
            file=self.file,
            findings=self.findings,
            column=f"{group}/{e}",
            start_label=f"{group}/{s}",
        )

    def _outside(
        self, frame: pl.DataFrame, column: str, label: str, *, before: bool, after: bool
    ) -> None:
        outside_episode(
            frame, column, label, before=before, after=after, file=self.file, findings=self.findings
        )

    def _repeats(
        self, frame: pl.DataFrame, keys: list[str], when: str, label: str, what: str
    ) -> pl.Series:
        return repeated_dates(
            frame, keys, when, column=label, what=what, file=self.file, findings=self.findings
        )

    # --- the tables ---------------------------------------------------------------------------

    def _children(self) -> pl.DataFrame:
        kids = self._typed(self.flat.children, CHILD_SCHEMA)
        checks.duplicate_keys(
            kids,
            "_child",
            file=self.file,
            findings=self.findings,
            column=f"{IDENTIFIERS}/LAchildID",
            what="LAchildID",
            private=True,
        )
        return kids.with_columns(
            self.hasher.hash(kids.get_column("_child"), "person").alias("child_id"),
            pl.coalesce("_birth", "_expected").dt.strftime("%Y-%m").alias("birth_month"),
            pl.coalesce("_sex", "_gender").alias("sex"),
        )

    def _disabilities(self, kids: pl.DataFrame) -> pl.DataFrame:
        parts = [
            self._typed(self.flat.disabilities[place], DISABILITY_SCHEMAS[place])
            for place in DISABILITY_PLACES
        ]
        frame = pl.concat(parts).sort(ROW, maintain_order=True)
        return frame.join(kids.select(ROW, "child_id"), on=ROW, how="left", maintain_order="left")

    def _referrals(self, kids: pl.DataFrame) -> pl.DataFrame:
        cin = self._typed(self.flat.cin, CIN_SCHEMA).join(
            kids.select(ROW, "_child", "child_id"), on=ROW, how="left", maintain_order="left"
        )
        cin = cin.with_columns(
            pl.concat_str([pl.col("_child"), iso("referral_date")], separator="|").alias(_KEY)
        )
        cin = cin.with_columns(
            self.hasher.hash(cin.get_column(_KEY), "referral").alias("referral_id")
        )
        first = self._repeats(
            cin, [ROW], "referral_date", f"{CINDETAILS}/CINreferralDate", "CINdetails"
        )
        cin = cin.with_columns(first.alias("_first_referral"))
        self._order(
            cin, CINDETAILS, "referral_date", "close_date", "CINreferralDate", "CINclosureDate"
        )
        episode_overlaps(cin, file=self.file, findings=self.findings)
        if self.as_of is not None:
            after_reference(cin, self.as_of, file=self.file, findings=self.findings)
        return cin

    def _assessments(self, episodes: pl.DataFrame) -> pl.DataFrame:
        frame = self._in_episode(self.flat.assessments, ASSESSMENT_SCHEMA, episodes)
        start = f"{ASSESSMENTS}/AssessmentActualStartDate"
        self._repeats(frame, [PARENT], "start_date", start, "Assessments")
        self._order(
            frame,
            ASSESSMENTS,
            "start_date",
            "auth_date",
            "AssessmentActualStartDate",
            "AssessmentAuthorisationDate",
        )
        self._outside(frame, "start_date", start, before=True, after=True)
        auth = f"{ASSESSMENTS}/AssessmentAuthorisationDate"
        self._outside(frame, "auth_date", auth, before=False, after=True)
        return self._hash(frame, [pl.col(_KEY), iso("start_date")], "assessment", "assessment_id")

    def _plans(self, episodes: pl.DataFrame) -> pl.DataFrame:
        frame = self._in_episode(self.flat.cin_plans, PLAN_SCHEMA, episodes)
        start, end = f"{CIN_PLANS}/CINPlanStartDate", f"{CIN_PLANS}/CINPlanEndDate"
        self._repeats(frame, [PARENT], "start_date", start, "CINPlanDates")
        self._order(
            frame, CIN_PLANS, "start_date", "end_date", "CINPlanStartDate", "CINPlanEndDate"
        )
        self._outside(frame, "start_date", start, before=True, after=True)
        self._outside(frame, "end_date", end, before=False, after=True)
        return self._hash(frame, [pl.col(_KEY), iso("start_date")], "cin_plan", "cin_plan_id")

    def _s47(self, episodes: pl.DataFrame) -> pl.DataFrame:
        frame = self._in_episode(self.flat.s47, S47_SCHEMA, episodes)
        start, icpc = f"{SECTION47}/S47ActualStartDate", f"{SECTION47}/DateOfInitialCPC"
        self._repeats(frame, [PARENT], "start_date", start, "Section47")
        self._order(
            frame, SECTION47, "start_date", "icpc_date", "S47ActualStartDate", "DateOfInitialCPC"
        )
        self._outside(frame, "start_date", start, before=True, after=True)
        self._outside(frame, "icpc_date", icpc, before=True, after=True)
        frame = self._hash(frame, [pl.col(_KEY), iso("start_date")], "s47", "s47_id")
        conference = pl.col("icpc_date").is_not_null() | pl.col("target_date").is_not_null()
        return frame.with_columns(conference.alias("_conference"))

    def _icpcs(self, cin: pl.DataFrame, s47: pl.DataFrame) -> pl.DataFrame:
        """Conferences of S47 enquiries, then those recorded only on the CIN episode."""
        held = s47.filter(pl.col("_conference"))
        held = self._hash(
            held,
            [pl.col(_KEY), iso("start_date"), iso("icpc_date").fill_null("")],
            "icpc",
            "icpc_id",
        )
        label = f"{CINDETAILS}/DateOfInitialCPC"
        own = cin.filter(pl.col("icpc_date").is_not_null())
        self._outside(own, "icpc_date", label, before=True, after=True)
        both = held.select(pl.col(PARENT).alias(_INDEX), "icpc_date").unique()
        twice = own.join(both, on=[_INDEX, "icpc_date"], how="semi", maintain_order="left")
        self.findings.from_frame(
            twice.select(ROW, iso("icpc_date").alias("_value")),
            severity="warning",
            rule="icpc.twice",
            message="this initial child protection conference is also recorded in a Section47 "
            "of the same CINdetails; it is kept once",
            file=self.file,
            column=label,
            value_col="_value",
        )
        own = own.join(both, on=[_INDEX, "icpc_date"], how="anti", maintain_order="left")
        own = self._hash(
            own, [pl.col(_KEY), pl.lit(""), iso("icpc_date")], "icpc", "icpc_id"
        ).with_columns(pl.lit(None, pl.String).alias("s47_id"))
        columns = ["icpc_id", "s47_id", "child_id", "referral_id", "icpc_date"]
        return pl.concat(
            [held.select(*columns, "target_date"), own.select(columns)], how="diagonal_relaxed"
        )

    def _cpps(self, episodes: pl.DataFrame) -> pl.DataFrame:
        frame = self._in_episode(self.flat.cpps, CPP_SCHEMA, episodes)
        start, end = f"{CPPS}/CPPstartDate", f"{CPPS}/CPPendDate"
        self._repeats(frame, [PARENT], "start_date", start, "ChildProtectionPlans")
        self._order(frame, CPPS, "start_date", "end_date", "CPPstartDate", "CPPendDate")
        self._outside(frame, "start_date", start, before=True, after=False)
        self._outside(frame, "end_date", end, before=False, after=True)
        return self._hash(frame, [pl.col(_KEY), iso("start_date")], "cp_plan", "cp_plan_id")
