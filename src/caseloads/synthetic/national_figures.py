"""Every English local authority's published figures, read from the DfE and ONS tables bundled in
the package (``caseloads/data/dfe``, Open Government Licence v3.0; see ``LICENCE.md`` there).

One :class:`AuthorityFigures` per local authority with children's services in the reporting year
(the 153 local-authority rows of the 2025 CIN files). Each figure, for the reporting ``year``
(the CIN/CLA year to 31 March, the CSWW year to 30 September), file and column:

- ``children_0_17``: ``ons_mid-year_population_estimates_2012_to_2024.csv``,
  ``population_estimate`` (``age_group`` "Children aged 0 to 17 years"), mid-``year - 1``: the
  latest present for 2025, and the denominator of DfE's own 2025 rates;
- ``referrals``: ``c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv``,
  ``referral_count`` (referrals in the year);
- ``cin_at31``: ``b1_children_in_need_2013_to_2025.csv``, ``At31_episodes`` (children in need at
  31 March);
- ``cp_at31``: ``d5_cpps_at31march_by_duration_2013_to_2025.csv``, ``CPP_At31`` (child protection
  plans at 31 March);
- ``cla_at31``: ``cla_number_and_rate_per_10k_children.csv``, ``children_count`` on the row with
  ``population_type`` "Children looked after on 31 March each year";
- ``inpost_fte`` and ``agency_fte``: ``csww_indicators_2017_to_2025.csv``, ``inpost_fte`` and
  ``agency_fte`` (social worker FTE in post and agency workers at 30 September); the social
  worker FTE of the profile is their sum;
- ``case_holders_fte`` and ``cases``: the same file, ``case_holders_fte`` and ``cases`` (FTE of
  social workers holding cases, and the cases they hold, at 30 September): they shape the
  workforce (see :meth:`AuthorityFigures.profile`).

Every file is read with Polars, all columns as text. A cell that is not a plain number (the EES
symbols ``c`` suppressed, ``x`` not available, ``z`` not applicable, ``u`` low reliability,
``low`` rounds to 0, ``:`` not available, or an empty cell) is *missing*, never zero. A missing
figure (or a missing row) is filled, in this order, and each fill is recorded as a
:class:`Fallback`:

1. ``previous_year``: the authority's own value for ``year - 1`` in the same file and column,
   when that is a positive number (a symbol this year says the count is unknown, often small
   but not zero; a 0 carried forward would switch that part of the service off);
2. ``england_rate``: England's rate per 10,000 children aged 0-17 in ``year`` (the National row
   of the same file and column, over the ONS National row) times the authority's children.

CSWW joint returns (``old_la_code`` ``"314 / 318"``: Kingston upon Thames and Richmond upon
Thames; ``"940 / 941"``: North and West Northamptonshire since 2021) are split between the
partners in proportion to their children aged 0-17 (recorded as ``joint_split``). Published
zeros are kept (several authorities report no agency workers; the Isles of Scilly reports no
social workers in post, only agency cover).

Known fills for 2025 (checked by the tests): Kensington and Chelsea and Westminster sent no 2025
CSWW return (a cyberattack), so their in-post FTE is their 2024 value (as DfE did for the England
total, and likewise their case-holding FTE and cases); their 2024 agency FTE is ``u`` / ``x`` and
Sunderland's is ``low`` in both years, so those
three agency FTEs are England's rate; City of London's CP plans (``c`` in 2025 and 2024) are
England's rate and its CLA (``c`` in 2025) its 2024 count; the Isles of Scilly's CP plans (``c``;
0 in 2024) and CLA (``z`` both years) are England's rates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import polars as pl

from caseloads.ingest.dfe_tables import read_bundled
from caseloads.synthetic.profile import CouncilProfile, team_layout

ONS = "ons_mid-year_population_estimates_2012_to_2024.csv"
C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
B1 = "b1_children_in_need_2013_to_2025.csv"
D5 = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
CLA = "cla_number_and_rate_per_10k_children.csv"
CSWW = "csww_indicators_2017_to_2025.csv"

#: ``population_type`` of the CLA file's row of children looked after at 31 March.
CLA_AT31 = "Children looked after on 31 March each year"

LOCAL_AUTHORITY = "Local authority"
NATIONAL = "National"

#: The ONS file splits London into these two "regions"; both are the London region here.
LONDON_PARTS = {"Inner London": "London", "Outer London": "London"}

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class _Source:
    """Where one figure is published: file, column, and an optional (column, value) row filter."""

    figure: str
    file: str
    column: str
    row: tuple[str, str] | None = None

    @property
    def label(self) -> str:
        """Short name for messages: the file's first word and the column ("d5 CPP_At31")."""
        return f"{self.file.split('_', 1)[0]} {self.column}"


#: The figures read for every authority, in :class:`AuthorityFigures` order (children apart).
SOURCES: tuple[_Source, ...] = (
    _Source("referrals", C1, "referral_count"),
    _Source("cin_at31", B1, "At31_episodes"),
    _Source("cp_at31", D5, "CPP_At31"),
    _Source("cla_at31", CLA, "children_count", ("population_type", CLA_AT31)),
    _Source("inpost_fte", CSWW, "inpost_fte"),
    _Source("agency_fte", CSWW, "agency_fte"),
    _Source("case_holders_fte", CSWW, "case_holders_fte"),
    _Source("cases", CSWW, "cases"),
)

#: Case-holding FTE the 12 practice teams of :func:`team_layout` (scale 1) hold comfortably:
#: about 10 each (the built-in council's; a team has at most 12 social worker posts).
CASE_FTE_PER_LAYOUT = 120.0


@dataclass(frozen=True)
class Fallback:
    """One figure that was not published for the authority as it stands, and how it was filled.

    ``rule`` is ``previous_year``, ``england_rate`` or ``joint_split`` (see the module docstring);
    ``detail`` says what was found and what was used.
    """

    figure: str
    rule: str
    detail: str


@dataclass(frozen=True)
class AuthorityFigures:
    """One authority's published figures for a reporting year, after the fallbacks.

    ``la_code``: the 3-digit DfE number (``old_la_code``); ``new_la_code``: the ONS 9-character
    code; ``region``: the English region (ONS file ``region_name``, Inner and Outer London as
    London). The counts are floats because a fallback can give a fraction.
    """

    la_code: str
    new_la_code: str
    name: str
    region: str
    year: int
    children_0_17: int
    referrals: float
    cin_at31: float
    cp_at31: float
    cla_at31: float
    inpost_fte: float
    agency_fte: float
    case_holders_fte: float
    cases: float
    #: England's cases per case-holding FTE (CSWW National ``cases / case_holders_fte``).
    england_caseload: float
    fallbacks: tuple[Fallback, ...] = ()

    @property
    def social_worker_fte(self) -> float:
        """Social worker FTE: CSWW ``inpost_fte + agency_fte``."""
        return self.inpost_fte + self.agency_fte

    @property
    def caseload(self) -> float:
        """Cases per case-holding FTE (CSWW ``cases / case_holders_fte``; England's if none)."""
        if self.case_holders_fte <= 0:
            return self.england_caseload
        return self.cases / self.case_holders_fte

    def profile(self, scale: float = 1.0) -> CouncilProfile:
        """The authority as a :class:`CouncilProfile`, ``scale`` times its size.

        The demand comes from :meth:`CouncilProfile.from_figures` (children, referrals, CIN, CP
        plans, CLA and the social worker FTE); the children are rounded (at least 1) and every
        count and FTE is multiplied by the same factor, so the rates per 10,000 are exactly the
        authority's own. The workforce is then shaped from its CSWW return (``from_figures``
        sizes teams by children alone, and the council generator holds caseloads near England's,
        so an authority with more social workers per child would come out far short of its FTE):

        - practice teams (:func:`team_layout`) for the larger of its children and its case-holding
          FTE (``case_holders_fte``), at :data:`CASE_FTE_PER_LAYOUT` per layout;
        - the FTE that neither holds cases nor manages a team (about half of England's: 21,105 of
          41,602 FTE held cases at 30 September 2025, CSWW National ``case_holders_fte``) is
          ``quality_assurance_officers``, the generator's qualified social workers without cases
          (CSWW OrgRole 6), after the team, service and head of service managers and the
          independent reviewing officers the generator adds;
        - the caseload band and the target caseloads are England's defaults times the
          authority's caseload over England's (CSWW ``cases / case_holders_fte``).
        """
        if not scale > 0:
            raise ValueError(f"scale must be positive, got {scale}")
        children = max(1, round(self.children_0_17 * scale))
        factor = children / self.children_0_17
        base = CouncilProfile.from_figures(
            self.name,
            children_0_17=children,
            referrals=self.referrals * factor,
            cin_at31=self.cin_at31 * factor,
            cp_at31=self.cp_at31 * factor,
            cla_at31=self.cla_at31 * factor,
            social_worker_fte=self.social_worker_fte * factor,
        )
        case_fte = self.case_holders_fte * factor
        layout = max(children / 80_000, case_fte / CASE_FTE_PER_LAYOUT)
        teams = team_layout(layout)
        service_managers = max(1, round(3 * layout))
        managers = sum(n for _, n in teams) + service_managers + base.heads_of_service
        iros = (self.cla_at31 + 0.5 * self.cp_at31) * factor / base.iro_caseload
        without_cases = self.social_worker_fte * factor - case_fte - managers - iros
        k = self.caseload / self.england_caseload
        low, high = base.caseload_band
        return replace(
            base,
            teams=teams,
            service_managers=service_managers,
            quality_assurance_officers=max(0, round(without_cases)),
            mash_expansion_posts=2 if dict(teams).get("front_door") else 0,
            social_workers_per_team=(6, 12) if layout >= 0.6 else (1, 12),
            caseload_band=(low * k, high * k),
            target_caseload=tuple((team, c * k) for team, c in base.target_caseload),
        )


def read_table(name: str) -> pl.DataFrame:
    """A bundled DfE/ONS file, every column as text (read once per process by
    :func:`caseloads.ingest.dfe_tables.read_bundled`, shared with the benchmarks)."""
    return read_bundled(name)


def number(cell: str | None) -> float | None:
    """A published cell as a number, or ``None`` for a symbol (c, x, z, u, low, ``:``) or an
    empty cell: a symbol is never read as zero."""
    if cell is None:
        return None
    text = cell.strip()
    return float(text) if _NUMBER.match(text) else None


def _rows(source: _Source, year: int, level: str) -> pl.DataFrame:
    frame = read_table(source.file).filter(
        (pl.col("time_period") == str(year)) & (pl.col("geographic_level") == level)
    )
    if source.row is not None:
        frame = frame.filter(pl.col(source.row[0]) == source.row[1])
    return frame


def _england(source: _Source, year: int) -> float:
    rows = _rows(source, year, NATIONAL)
    values = [number(v) for v in rows.get_column(source.column).to_list()]
    if len(values) != 1 or values[0] is None:
        raise ValueError(f"{source.file}: no National {source.column} for {year}")
    return values[0]


@dataclass(frozen=True)
class _Cell:
    value: float | None
    partners: tuple[str, ...] = ()  # the joint return's authorities, if it is one


def _la_cells(source: _Source, year: int, children: dict[str, int]) -> dict[str, _Cell]:
    """Each authority's value in ``year``; a joint return is split by children aged 0-17."""
    out: dict[str, _Cell] = {}
    joint: list[tuple[tuple[str, ...], float | None]] = []
    for code, cell in (
        _rows(source, year, LOCAL_AUTHORITY).select("old_la_code", source.column).rows()
    ):
        codes = tuple(c.strip() for c in str(code).split("/"))
        value = number(cell)
        if len(codes) == 1:
            out[codes[0]] = _Cell(value)
        else:
            joint.append((codes, value))
    for codes, value in joint:
        if not all(c in children for c in codes):
            continue  # authorities of another year's boundaries (reorganisation)
        total = sum(children[c] for c in codes)
        for c in codes:
            if c not in out:  # an authority's own row wins over a joint one
                share = value * children[c] / total if value is not None else None
                out[c] = _Cell(share, codes)
    return out


def _ons_year(year: int) -> int:
    years = sorted(int(t) for t in read_table(ONS).get_column("time_period").unique())
    earlier = [y for y in years if y <= year - 1]
    if not earlier:
        raise ValueError(f"no ONS mid-year estimate before {year}")
    return earlier[-1]


def _children(year: int) -> tuple[int, dict[str, int], dict[str, tuple[str, str]], float]:
    """ONS year, children aged 0-17 by authority, (ONS code, region) by authority, England's."""
    source = _Source("children_0_17", ONS, "population_estimate")
    ons_year = _ons_year(year)
    rows = _rows(source, ons_year, LOCAL_AUTHORITY)
    children: dict[str, int] = {}
    where: dict[str, tuple[str, str]] = {}
    for code, new_code, region, cell in rows.select(
        "old_la_code", "new_la_code", "region_name", source.column
    ).rows():
        value = number(cell)
        if value is None:
            previous = _rows(source, ons_year - 1, LOCAL_AUTHORITY).filter(
                pl.col("old_la_code") == code
            )
            values = [number(v) for v in previous.get_column(source.column).to_list()]
            value = values[0] if values else None
        if value is None or value <= 0:
            raise ValueError(f"{ONS}: no children aged 0-17 for {code} in {ons_year}")
        children[code] = round(value)
        where[code] = (new_code, LONDON_PARTS.get(region, region))
    return ons_year, children, where, _england(source, ons_year)


def available_years() -> list[int]:
    """Reporting years for which every file has rows (and ONS an estimate for the year before)."""
    common: set[int] | None = None
    for source in SOURCES:
        years = {int(t) for t in read_table(source.file).get_column("time_period").unique()}
        common = years if common is None else common & years
    ons = {int(t) for t in read_table(ONS).get_column("time_period").unique()}
    return sorted(y for y in (common or set()) if y - 1 in ons)


def national_figures(year: int = 2025) -> list[AuthorityFigures]:
    """Every local authority with children's services in ``year`` (the local-authority rows of
    the c1 file for that year: 153 for 2025), with its figures, in ``la_code`` order.

    ``year`` is the CIN/CLA year to 31 March and the CSWW year to 30 September; children aged
    0-17 are the ONS mid-``year - 1`` estimate (the denominator DfE's own rates use)."""
    if year not in available_years():
        raise ValueError(f"no figures for {year}; available: {available_years()}")
    ons_year, children, where, england_children = _children(year)
    authorities = (
        _rows(SOURCES[0], year, LOCAL_AUTHORITY)
        .select("old_la_code", "la_name")
        .unique()
        .sort("old_la_code")
        .rows()
    )
    missing = [code for code, _ in authorities if code not in children]
    if missing:
        raise ValueError(f"{ONS}: no mid-{ons_year} estimate for {missing}")

    current = {s.figure: _la_cells(s, year, children) for s in SOURCES}
    previous = {s.figure: _la_cells(s, year - 1, children) for s in SOURCES}
    england = {s.figure: _england(s, year) for s in SOURCES}
    rates = {figure: 10_000 * value / england_children for figure, value in england.items()}
    england_caseload = england["cases"] / england["case_holders_fte"]

    out: list[AuthorityFigures] = []
    for code, name in authorities:
        values: dict[str, float] = {}
        notes: list[Fallback] = []
        for s in SOURCES:
            cell = current[s.figure].get(code, _Cell(None))
            if cell.partners:
                notes.append(_joint_note(s, year, code, cell.partners, children))
            if cell.value is not None:
                values[s.figure] = cell.value
                continue
            found = "no row" if code not in current[s.figure] else "a symbol"
            before = previous[s.figure].get(code, _Cell(None)).value
            if before is not None and before > 0:
                values[s.figure] = before
                notes.append(
                    Fallback(
                        s.figure,
                        "previous_year",
                        f"{s.label} {year}: {found}; used {year - 1}: {before:g}",
                    )
                )
                continue
            values[s.figure] = rates[s.figure] * children[code] / 10_000
            notes.append(
                Fallback(
                    s.figure,
                    "england_rate",
                    f"{s.label} {year}: {found}, {year - 1}: "
                    f"{'no positive value' if before is None or before <= 0 else before}; "
                    f"used England {rates[s.figure]:.2f} per 10,000 x {children[code]} children"
                    f" = {values[s.figure]:.2f}",
                )
            )
        new_code, region = where[code]
        out.append(
            AuthorityFigures(
                la_code=code,
                new_la_code=new_code,
                name=name,
                region=region,
                year=year,
                children_0_17=children[code],
                referrals=values["referrals"],
                cin_at31=values["cin_at31"],
                cp_at31=values["cp_at31"],
                cla_at31=values["cla_at31"],
                inpost_fte=values["inpost_fte"],
                agency_fte=values["agency_fte"],
                case_holders_fte=values["case_holders_fte"],
                cases=values["cases"],
                england_caseload=england_caseload,
                fallbacks=tuple(notes),
            )
        )
    return out


def _joint_note(
    source: _Source, year: int, code: str, partners: tuple[str, ...], children: dict[str, int]
) -> Fallback:
    share = children[code] / sum(children[c] for c in partners)
    return Fallback(
        source.figure,
        "joint_split",
        f"{source.label} {year}: joint return {' / '.join(partners)}; "
        f"{share:.1%} by children aged 0-17",
    )
