"""The ``cin-census`` extract: the DfE children in need (CIN) census return (XML), 2017 to 2026.

Sources. The structure and items are those of the DfE *Children in need census* business and
technical specifications (one per collection year; design.md §4), as rebuilt in the CIN XSDs of
Social Finance's liia-tools (``liiatools/cin_census_pipeline/spec/CIN_schema_20xx.xsd``). The
meaning of a referral, a CIN episode, a section 47 enquiry, an initial child protection
conference (ICPC) and a child protection plan (CPP) is definitions.md §4. Rule numbers cited are
the DfE CIN census validation rules (cin_census_checks.py says where they were read).

The document is parsed only through defusedxml with DTDs and entities refused (xml_io.py:
``xml.forbidden``, ``xml.malformed``). It must be a ``Message`` with a ``Header`` whose
``CollectionDetails/Collection`` is ``CIN`` (else ``xml.structure``), and a ``Children`` element
holding at least one ``Child`` (else ``xml.structure``: a return without children would replace
good data with nothing). Element names are matched exactly, ignoring any namespace prefix. An
element not defined for its place is ``xml.unknown`` (warning, once per path, with the first
child and the number of children); an item that may appear once but appears again in a record is
``xml.repeated`` (error). Findings give the 1-based position of the ``Child`` element as the row
and the item's path below ``Child`` as the column (``CINdetails/CINreferralDate``); identifiers
and birth dates are only ever shown by their shape (parse.shape).

The header. The authority is ``Header/Source/LEA`` (a different ``la_code`` argument is
``la.mismatch``; missing is ``required``). The collection year is ``CollectionDetails/Year``
(missing: ``required``; not a year: ``type.number``; outside 2017-2026, the years this reader
knows: ``census.year``, warning) and becomes the scope (``str(year)``): a return replaces the
authority's earlier return for the same year. ``as_of`` is ``ReferenceDate``, else 31 March of
the year (the end of the census year, definitions.md §4); a ReferenceDate other than 31 March of
the year is ``census.reference_date`` (warning; DfE rule 100 "Reference Date is incorrect").

``Child`` -> ``children`` (one row each):

- ``ChildIdentifiers/LAchildID`` (required) -> ``child_id``, its keyed hash in the authority's
  ``person`` namespace (identifiers.py; the same namespace as the SSD's person ids). A second
  ``Child`` with the same LAchildID is ``duplicate.key`` (DfE rule 8510).
- ``PersonBirthDate``, else ``ExpectedPersonBirthDate`` (an unborn child) -> ``birth_month``
  (``YYYY-MM``; never the day, design.md §3).
- ``GenderCurrent`` (1 male, 2 female, 0 not recorded or unborn, 9 indeterminate) or ``Sex``
  (N00783, which replaced it in the 2024 to 2025 specification with F, M, U, per that
  specification's change list and rule 4180 of the cin_validator; the numeric codes are accepted
  there too) -> ``sex``, the code as given (letters in upper case). A value outside the
  element's list is ``code.unknown`` (DfE rule 4180); both elements in one child is
  ``xml.repeated``.
- ``ChildCharacteristics/Ethnicity`` -> ``ethnicity`` as given.
- ``UPN``, ``FormerUPN``, ``UPNunknown`` and ``PersonDeathDate`` are recognised and never read.

``Disabilities/Disability`` (in ``ChildCharacteristics``, or directly in ``Child`` as some files
have it) -> ``disabilities``: one row per code as given, ``NONE`` included.

``CINdetails`` -> ``referrals`` (one CIN episode each): ``referral_id`` is the keyed hash, in the
``referral`` namespace, of ``LAchildID|CINreferralDate`` (ISO date), so the same episode in two
years' returns keeps its id; ``CINreferralDate`` (required) -> ``referral_date``,
``ReferralSource`` -> ``source_code``, ``PrimaryNeedCode`` -> ``primary_need_code``,
``ReferralNFA`` (true/false/1/0) -> ``nfa``, ``CINclosureDate`` -> ``close_date``,
``ReasonForClosure`` -> ``close_reason``; no team or worker. Codes are kept as given, since their
lists change between years (``RC9`` from 2023, referral source ``5D`` from 2022).

Every record below a ``CINdetails`` gets an id hashed from ``LAchildID|CINreferralDate|`` and its
own date(s), in its own namespace (the SSD's names):

- ``Assessments`` -> ``assessments``: ``assessment_id`` (``assessment``, with
  ``AssessmentActualStartDate``, required -> ``start_date``), ``AssessmentAuthorisationDate`` ->
  ``auth_date``; ``child_seen`` and ``nfa`` null; ``AssessmentInternalReviewDate`` is not kept.
  ``FactorsIdentifiedAtAssessment/AssessmentFactors`` -> ``assessment_factors``, one row each.
- ``CINPlanDates`` -> ``cin_plans``: ``cin_plan_id`` (``cin_plan``, with ``CINPlanStartDate``,
  required), ``CINPlanEndDate`` -> ``end_date``.
- ``Section47`` -> ``s47_enquiries``: ``s47_id`` (``s47``, with ``S47ActualStartDate``,
  required), ``ICPCnotRequired`` -> ``icpc_not_required``; ``end_date`` and ``nfa`` null. One
  with ``DateOfInitialCPC`` or ``InitialCPCtarget`` also gives an ``icpcs`` row: ``icpc_id``
  (``icpc``, with the S47 start and the conference date), ``icpc_date``, ``target_date``.
- ``CINdetails/DateOfInitialCPC`` (a conference without an enquiry in this return) -> an
  ``icpcs`` row with no ``s47_id``, id from an empty S47 start. The same date also held by a
  ``Section47`` of the episode is ``icpc.twice`` (warning, DfE rule 2884) and is kept once.
- ``ChildProtectionPlans`` -> ``cp_plans``: ``cp_plan_id`` (``cp_plan``, with ``CPPstartDate``,
  required), ``CPPendDate`` -> ``end_date``, ``InitialCategoryOfAbuse`` / ``LatestCategoryOfAbuse``
  -> ``initial_category`` / ``latest_category`` as given, ``NumberOfPreviousCPP`` ->
  ``previous_plans`` (whole, 0 to 32767). ``Reviews/CPPreviewDate`` -> ``cp_reviews``.

The return does not link conferences to the plans they start, so ``cp_plans.icpc_id``,
``cp_plans.ola`` and ``icpcs.cp_plan_id`` / ``transfer_in`` / ``outcome_cp`` are null.

Values: dates as in parse.py (``type.date``; outside 1900-2099 ``range``), flags
``type.flag``, numbers ``type.number`` / ``range``; a text longer than its stored column is cut
to fit (``length``, warning; targets.py). Rules across records (cin_census_checks.py):

- ``date.order`` (error): a closure before its referral (DfE 8630), an assessment authorised
  before it started (8608), a CIN plan (4011) or CPP (8925) ending before it started, an ICPC
  before its S47 enquiry started (8615).
- ``overlap`` (error): two CIN episodes of one child overlapping (definitions.md §4; DfE 8820).
- ``duplicate.key`` (error): two episodes of one child on the same referral date, or two
  assessments, CIN plans, S47 enquiries or CPPs of one episode on the same start date: their ids
  would be the same.
- ``census.period`` (warning): a referral after the reference date (DfE 8600).
- ``date.episode`` (warning): an assessment (DfE 1103), CIN plan (4015), S47 enquiry (2889), ICPC
  (1104) or CPP (1105) starting before its episode's referral, or an activity dated after the
  episode's closure (8565). The DfE validator treats these as errors; here they are warnings,
  since every stored interval is still well formed and one misdated record should not block a
  whole return.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.etree.ElementTree import Element

from caseloads.ingest.cin_census_flatten import IDENTIFIERS, Flattened
from caseloads.ingest.cin_census_frames import GENDER_CODES, SEX_CODES, Frames
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.identifiers import Hasher
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.rule import Rule
from caseloads.ingest.sources import load_file
from caseloads.ingest.tabular import unread_extract
from caseloads.ingest.targets import teams_frame
from caseloads.ingest.xml_io import child_text, children, local_name, parse_xml

__all__ = ["GENDER_CODES", "KIND", "RULES", "SEX_CODES", "YEARS", "read_cin_census"]

KIND = "cin-census"
YEARS = (2017, 2026)
_SPEC = "DfE CIN census specification and validation rules"

RULES: tuple[Rule, ...] = (
    Rule(
        "census.year",
        ("warning",),
        "a collection year outside those the CIN census reader knows (2017 to 2026)",
        "cin_census.py",
    ),
    Rule(
        "census.reference_date",
        ("warning",),
        "the CIN census ReferenceDate is not 31 March of the collection year",
        f"{_SPEC} (rule 100); definitions.md §4",
    ),
    Rule(
        "census.period",
        ("warning",),
        "a CIN referral dated after the census reference date",
        f"{_SPEC} (rule 8600)",
    ),
    Rule(
        "date.episode",
        ("warning",),
        "an assessment, plan, S47 enquiry or conference dated before its CIN episode's referral "
        "or after its closure",
        f"{_SPEC} (rules 1103, 1104, 1105, 2889, 4015, 8565)",
    ),
    Rule(
        "icpc.twice",
        ("warning",),
        "one initial child protection conference recorded in both CINdetails and Section47; "
        "kept once",
        f"{_SPEC} (rule 2884)",
    ),
)


def read_cin_census(
    path: Path, *, la_code: str | None, pseudonymiser: Pseudonymiser, max_file_bytes: int
) -> Extract:
    findings = Findings()
    given = (la_code or "").strip()
    loaded = load_file(path, max_file_bytes=max_file_bytes, findings=findings)
    if loaded is None:
        return unread_extract(KIND, given, findings)
    file = loaded.name
    root = parse_xml(loaded, findings)
    header = None if root is None else _cin_header(root, file, findings)
    if root is None or header is None:
        return unread_extract(KIND, given, findings, [loaded.source])
    la, year, as_of = _header(header, given, file, findings)
    flat = _flatten(root, file, findings)
    if flat is None:
        return unread_extract(KIND, la, findings, [loaded.source])
    frames = Frames(flat, file, findings, Hasher(pseudonymiser, la), as_of).build()
    return Extract(
        kind=KIND,
        la_code=la,
        files=[loaded.source],
        findings=findings,
        frames=frames,
        teams=teams_frame(),
        scope="" if year is None else str(year),
        as_of=as_of,
    )


def _cin_header(root: Element, file: str, findings: Findings) -> Element | None:
    """The ``Header`` of a CIN census ``Message``, or None (``xml.structure``)."""
    found = children(root, "Header") if local_name(root.tag) == "Message" else []
    collection = child_text(found[0], "CollectionDetails", "Collection") if found else None
    if local_name(root.tag) != "Message":
        what = f"the document is a {local_name(root.tag) or '?'}, not a CIN census Message"
    elif not found:
        what = "the Message has no Header"
    elif (collection or "").upper() != "CIN":
        what = f"the return is for collection {collection or '(none)'}, not the CIN census"
    else:
        return found[0]
    findings.error("xml.structure", what, file)
    return None


def _header(
    header: Element, given: str, file: str, findings: Findings
) -> tuple[str, int | None, date | None]:
    lea = child_text(header, "Source", "LEA")
    if lea is None:
        findings.error(
            "required", "Header/Source/LEA (the authority) is missing", file, None, "LEA"
        )
    elif given and given != lea:
        findings.error(
            "la.mismatch",
            f"the return is for authority {lea}, but authority {given} was given",
            file,
            column="LEA",
            value=lea,
        )
    text = child_text(header, "CollectionDetails", "Year")
    year = int(text) if text is not None and text.isdigit() and len(text) == 4 else None
    if text is None:
        findings.error("required", "Header/CollectionDetails/Year is missing", file, None, "Year")
    elif year is None or not 2000 <= year <= 2099:
        findings.error("type.number", "Year is not a census year", file, None, "Year", text)
        year = None
    elif not YEARS[0] <= year <= YEARS[1]:
        findings.warning(
            "census.year",
            f"this reader knows the CIN census of {YEARS[0]} to {YEARS[1]}; check the result",
            file,
            column="Year",
            value=year,
        )
    reference = child_text(header, "CollectionDetails", "ReferenceDate")
    as_of = None if year is None else date(year, 3, 31)
    if reference is not None:
        try:
            as_of = date.fromisoformat(reference)
        except ValueError:
            findings.error(
                "type.date", "ReferenceDate is not a date", file, None, "ReferenceDate", reference
            )
        else:
            if year is not None and as_of != date(year, 3, 31):
                findings.warning(
                    "census.reference_date",
                    f"the reference date of the {year} CIN census is {year}-03-31",
                    file,
                    column="ReferenceDate",
                    value=reference,
                )
    return (lea or given), year, as_of


def _flatten(root: Element, file: str, findings: Findings) -> Flattened | None:
    flat = Flattened()
    containers = [c for c in root if flat.name(c.tag) == "Children"]
    for name in sorted({flat.name(c.tag) for c in root} - {"Header", "Children", ""}):
        findings.warning(
            "xml.unknown", f"{name} is not a CIN census item; ignored", file, None, name
        )
    if not containers:
        findings.error("xml.structure", "the return has no Children", file, None, "Children")
        return None
    if len(containers) > 1:
        findings.error("xml.repeated", "Children appears more than once", file, None, "Children")
    row = 0
    others: set[str] = set()
    for container in containers:
        for element in container:
            name = flat.name(element.tag)
            if name == "Child":
                row += 1
                flat.child(element, row)
            elif name:
                others.add(name)
    for name in sorted(others):
        findings.warning(
            "xml.unknown", f"Children/{name} is not a CIN census item; ignored", file, None, name
        )
    if row == 0:
        findings.error("xml.structure", "the return has no Child records", file, None, "Child")
    for row_, path in flat.repeated:
        findings.error(
            "xml.repeated", f"{path} appears more than once in one record", file, row_, path
        )
    for row_ in flat.both_sexes:
        findings.error(
            "xml.repeated",
            "GenderCurrent and Sex are both given; they are one item (Sex is read)",
            file,
            row_,
            f"{IDENTIFIERS}/Sex",
        )
    for path, rows in sorted(flat.unknown.items()):
        findings.warning(
            "xml.unknown",
            f"{path} is not a CIN census item; ignored ({len(rows)} child(ren))",
            file,
            rows[0],
            path,
        )
    return flat
