"""Every English authority, sized from its own published figures, and a small generated England.

The figures are checked against the National rows of the bundled DfE/ONS files (read here with
the standard ``csv`` module, independently of the code under test); the generation tests run at a
small ``scale`` (the full run writes about 2.5 GB and is measured outside the tests).
"""

from __future__ import annotations

import csv
import hashlib
import inspect
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from tests.synthetic import test_synthetic_structure as structure
from tests.synthetic.synth_support import REPO, TODAY, Generated, read_generated

from caseloads.synthetic.national import (
    GeneratedNation,
    NationalAuthority,
    generate_national,
    national_authorities,
    national_figures,
)
from caseloads.synthetic.national_figures import number

DFE = REPO / "src" / "caseloads" / "data" / "dfe"
ONS = "ons_mid-year_population_estimates_2012_to_2024.csv"
CSWW = "csww_indicators_2017_to_2025.csv"
REGIONS = {
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
}
#: Three large authorities for the small generation (about 6,000-7,000 children each at 0.02).
BIG = ["330", "881", "886"]  # Birmingham, Essex, Kent
#: Blackpool (890) has England's highest CLA rate (184 per 10,000 at 31 March 2025); Richmond
#: upon Thames (318, 27) and Windsor and Maidenhead (868, 40) are among the lowest.
HIGH_CLA, LOW_CLA = "890", ["318", "868"]
#: Islington (206) has England's lowest caseload (10.1 cases per case-holding FTE, CSWW 2025) and
#: 330 social worker FTE for 35,624 children, 2.2 times England's rate.
MANY_STAFF = "206"


def _rows(file: str, **match: str) -> list[dict[str, str]]:
    with (DFE / file).open(encoding="utf-8-sig") as fh:
        return [r for r in csv.DictReader(fh) if all(r[k] == v for k, v in match.items())]


def _national(file: str, column: str, year: str) -> float:
    (row,) = _rows(file, time_period=year, geographic_level="National")
    return float(row[column])


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def authorities() -> list[NationalAuthority]:
    return national_authorities(2025)


# --- (a) the authority list ----------------------------------------------------------------------


def test_every_authority_with_childrens_services_once(
    authorities: list[NationalAuthority],
) -> None:
    codes = [a.la_code for a in authorities]
    assert len(authorities) == 153
    assert codes == sorted(codes) and len(set(codes)) == 153
    assert all(len(c) == 3 and c.isdigit() for c in codes)
    assert {a.region for a in authorities} == REGIONS
    assert all(a.name and a.profile.name == a.name for a in authorities)
    # The same authorities as the ONS mid-2024 estimates ...
    ons = {r["old_la_code"] for r in _rows(ONS, time_period="2024") if r["old_la_code"]}
    assert set(codes) == ons
    # ... and as the CSWW 2025 file, once its joint returns are split into their partners.
    csww = {
        code.strip()
        for r in _rows(CSWW, time_period="2025", geographic_level="Local authority")
        for code in r["old_la_code"].split("/")
    }
    assert set(codes) == csww


def test_every_figure_is_positive(authorities: list[NationalAuthority]) -> None:
    for a in authorities:
        p = a.profile
        assert p.children_0_17 > 0, a
        assert p.social_worker_fte is not None and p.social_worker_fte > 0, a
        for rate in (p.referrals_per_10k, p.cin_per_10k, p.cp_per_10k, p.cla_per_10k):
            assert rate > 0, a
    for f in national_figures(2025):
        for value in (f.referrals, f.cin_at31, f.cp_at31, f.cla_at31, f.social_worker_fte):
            assert value > 0, f
        assert f.inpost_fte >= 0 and f.agency_fte >= 0, f  # published zeros are kept


def test_children_add_up_to_englands(authorities: list[NationalAuthority]) -> None:
    # ons_mid-year_population_estimates_2012_to_2024.csv, National 2024, population_estimate:
    # 12,183,016 children aged 0-17 (the denominator of DfE's 2025 rates).
    england = _national(ONS, "population_estimate", "2024")
    assert england == 12_183_016
    total = sum(a.profile.children_0_17 for a in authorities)
    assert abs(total / england - 1) <= 0.02, total


def test_social_worker_fte_adds_up_to_englands(authorities: list[NationalAuthority]) -> None:
    # csww_indicators_2017_to_2025.csv, National 2025: inpost_fte 36,186.3 + agency_fte 5,415.9.
    england = _national(CSWW, "inpost_fte", "2025") + _national(CSWW, "agency_fte", "2025")
    assert england == pytest.approx(41_602.2)
    total = sum(a.profile.social_worker_fte or 0.0 for a in authorities)
    assert abs(total / england - 1) <= 0.02, total


def test_case_holders_and_cases_add_up_to_englands() -> None:
    figures = national_figures(2025)
    # csww_indicators_2017_to_2025.csv, National 2025: case_holders_fte 21,105.4, cases 321,661.
    for column in ("case_holders_fte", "cases"):
        england = _national(CSWW, column, "2025")
        total = sum(getattr(f, column) for f in figures)
        assert abs(total / england - 1) <= 0.02, column
    assert figures[0].england_caseload == pytest.approx(321_661 / 21_105.4)


def test_the_workforce_is_shaped_by_the_authoritys_csww_return(
    authorities: list[NationalAuthority],
) -> None:
    figures = {f.la_code: f for f in national_figures(2025)}
    for a in authorities:
        f, p = figures[a.la_code], a.profile
        practice_teams = sum(n for _, n in p.teams)
        # Enough teams for the case holders (at most 12 social worker posts a team).
        assert f.case_holders_fte <= 12 * practice_teams, a.name
        # The social workers without cases make up the rest of the FTE.
        managers = practice_teams + p.service_managers + p.heads_of_service
        iros = (f.cla_at31 + 0.5 * f.cp_at31) / p.iro_caseload
        rest = f.social_worker_fte - f.case_holders_fte - managers - iros
        assert p.quality_assurance_officers == max(0, round(rest)), a.name
        # The caseload band follows the authority's own caseload.
        k = f.caseload / f.england_caseload
        assert p.caseload_band[0] == pytest.approx(16.95 * k), a.name
    # Islington: 258.3 + 72 FTE, 157.5 holding 1,590 cases (caseload 10.1); Kent: 765.3 + 116,
    # 491 holding 8,359 (17.0) (CSWW indicators 2025).
    islington, kent = figures["206"].profile(), figures["886"].profile()
    assert islington.caseload_band[1] < 12 < 18 < kent.caseload_band[1]


def test_demand_adds_up_to_englands() -> None:
    figures = national_figures(2025)
    # c1, b1, d5 and cla files, National 2025 (national totals are rounded to the nearest 10).
    checks = [
        ("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "referral_count"),
        ("b1_children_in_need_2013_to_2025.csv", "At31_episodes"),
        ("d5_cpps_at31march_by_duration_2013_to_2025.csv", "CPP_At31"),
    ]
    totals = [
        sum(f.referrals for f in figures),
        sum(f.cin_at31 for f in figures),
        sum(f.cp_at31 for f in figures),
    ]
    for (file, column), total in zip(checks, totals, strict=True):
        assert abs(total / _national(file, column, "2025") - 1) <= 0.02, column
    (cla,) = _rows(
        "cla_number_and_rate_per_10k_children.csv",
        time_period="2025",
        geographic_level="National",
        population_type="Children looked after on 31 March each year",
    )
    assert abs(sum(f.cla_at31 for f in figures) / float(cla["children_count"]) - 1) <= 0.02


def test_joint_csww_returns_are_split_by_children() -> None:
    figures = {f.la_code: f for f in national_figures(2025)}
    for joint in ("314 / 318", "940 / 941"):
        (row,) = _rows(CSWW, time_period="2025", old_la_code=joint)
        partners = [figures[c.strip()] for c in joint.split("/")]
        for column in ("inpost_fte", "agency_fte"):
            published = float(row[column])
            split = [getattr(p, column) for p in partners]
            assert sum(split) == pytest.approx(published)
            children = [p.children_0_17 for p in partners]
            assert split[0] / published == pytest.approx(children[0] / sum(children))
        for p in partners:
            assert {f.rule for f in p.fallbacks} == {"joint_split"}
    # Kingston upon Thames and Richmond upon Thames: 137.4 in post + 24 agency, together.
    assert figures["314"].social_worker_fte + figures["318"].social_worker_fte == pytest.approx(
        161.4
    )


def test_the_fallbacks_used_for_2025() -> None:
    used = {
        (f.la_code, fb.figure, fb.rule)
        for f in national_figures(2025)
        for fb in f.fallbacks
        if fb.rule != "joint_split"
    }
    assert used == {
        # City of London: d5 CPP_At31 "c" in 2025 and 2024; cla children_count "c", 7 in 2024.
        ("201", "cp_at31", "england_rate"),
        ("201", "cla_at31", "previous_year"),
        # Kensington and Chelsea, Westminster: no 2025 CSWW return (x); 2024 agency u / x.
        ("207", "inpost_fte", "previous_year"),
        ("207", "agency_fte", "england_rate"),
        ("207", "case_holders_fte", "previous_year"),
        ("207", "cases", "previous_year"),
        ("213", "inpost_fte", "previous_year"),
        ("213", "agency_fte", "england_rate"),
        ("213", "case_holders_fte", "previous_year"),
        ("213", "cases", "previous_year"),
        # Sunderland: agency_fte "low" in 2025 and 2024.
        ("394", "agency_fte", "england_rate"),
        # Isles of Scilly: CPP_At31 "c" (0 in 2024); children looked after "z" both years.
        ("420", "cp_at31", "england_rate"),
        ("420", "cla_at31", "england_rate"),
    }
    figures = {f.la_code: f for f in national_figures(2025)}
    assert figures["207"].inpost_fte == 182.9 and figures["213"].inpost_fte == 148.4
    assert figures["201"].cla_at31 == 7
    # England's rate: CP plans 49,420 per 12,183,016 children (d5 and ONS National rows).
    assert figures["201"].cp_at31 == pytest.approx(49_420 / 12_183_016 * 847)


def test_symbols_are_missing_never_zero() -> None:
    for symbol in ("c", "x", "z", "u", "low", ":", "", " ", None):
        assert number(symbol) is None
    assert number("0") == 0.0 and number("137.4") == 137.4 and number("-1") == -1.0


def test_profiles_carry_each_authoritys_own_rates(authorities: list[NationalAuthority]) -> None:
    by_code = {a.la_code: a for a in authorities}
    blackpool = by_code["890"].profile
    # cla_number_and_rate_per_10k_children.csv, Blackpool 2025: 531 looked after, 28,923
    # children, 184 per 10,000.
    assert blackpool.children_0_17 == 28_923
    assert blackpool.cla_per_10k == pytest.approx(10_000 * 531 / 28_923)
    assert round(blackpool.cla_per_10k) == 184
    for code in LOW_CLA:
        assert by_code[code].profile.cla_per_10k < blackpool.cla_per_10k / 3
    figures = next(f for f in national_figures(2025) if f.la_code == "890")
    small = figures.profile(0.02)
    assert small.children_0_17 == round(28_923 * 0.02)
    for name in ("referrals_per_10k", "cin_per_10k", "cp_per_10k", "cla_per_10k"):
        assert getattr(small, name) == pytest.approx(getattr(blackpool, name))


def test_other_years_and_bad_arguments(tmp_path: Path) -> None:
    assert len(national_authorities(2024)) == 153
    with pytest.raises(ValueError):
        national_authorities(2019)
    with pytest.raises(ValueError):
        generate_national(tmp_path, today=TODAY, only=["999"])
    with pytest.raises(ValueError):
        generate_national(tmp_path, today=TODAY, scale=0)
    with pytest.raises(ValueError):
        generate_national(tmp_path, today=TODAY, workers=0, only=BIG)


def test_a_tiny_authority_with_an_empty_table_can_be_written(tmp_path: Path) -> None:
    # The Isles of Scilly (319 children) with seed 2 has no care leavers, S47s or pre-proceedings:
    # its empty tables are still written, with their headers.
    nation = generate_national(tmp_path, seed=2, today=TODAY, workers=1, only=["420"])
    ((_, council),) = nation.councils
    assert (council.ssd_dir / "ssd_care_leavers.csv").read_text().startswith("clea_table_id")


# --- (b) a small generation ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> GeneratedNation:
    out = tmp_path_factory.mktemp("nation-2")
    return generate_national(out, seed=5, today=TODAY, scale=0.02, workers=2, only=BIG)


@pytest.fixture(scope="module")
def councils(nation: GeneratedNation) -> list[Generated]:
    return [read_generated(council) for _, council in nation.councils]


def test_the_result_does_not_depend_on_the_number_of_workers(
    nation: GeneratedNation, tmp_path: Path
) -> None:
    seen: list[tuple[str, float]] = []
    serial = generate_national(
        tmp_path,
        seed=5,
        today=TODAY,
        scale=0.02,
        workers=1,
        only=list(reversed(BIG)),
        progress=lambda stage, fraction: seen.append((stage, fraction)),
    )
    parallel = _digests(nation.out_dir)
    assert _digests(serial.out_dir) == parallel
    assert len(parallel) == 1 + 3 * 27  # the national manifest; each council's 27 files
    assert serial.totals == nation.totals
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and seen[-1] == ("done", 1.0)
    # Another seed gives other data.
    other = generate_national(tmp_path / "other", seed=6, today=TODAY, scale=0.02, only=BIG[:1])
    mine = _digests(nation.out_dir / BIG[0])
    assert _digests(other.out_dir / BIG[0])["staff.csv"] != mine["staff.csv"]


def test_each_authority_is_written_in_the_council_layout(nation: GeneratedNation) -> None:
    assert [a.la_code for a, _ in nation.councils] == sorted(BIG)
    for authority, council in nation.councils:
        assert council.la_code == authority.la_code
        assert council.out_dir == nation.out_dir / authority.la_code
        names = {str(p.relative_to(council.out_dir)) for p in council.out_dir.rglob("*.*")}
        assert {"staff.csv", "absences.csv", "establishment.csv", "pipeline.csv"} <= names
        assert "manifest.json" in names and "ssd/ssd_involvements.csv" in names
        assert [p.name for p in council.csww_files] == [f"csww_{y}.xml" for y in range(2022, 2027)]
        manifest = json.loads((council.out_dir / "manifest.json").read_text("utf-8"))
        assert manifest["la_code"] == authority.la_code and manifest["seed"] == 5
        assert manifest["children_0_17"] == authority.profile.children_0_17
        assert manifest["size"] == authority.name
        assert 5_000 <= authority.profile.children_0_17 <= 8_000
    for stem, total in nation.totals.items():
        assert total == sum(c.row_counts.get(stem, 0) for _, c in nation.councils)
    assert nation.totals["ssd_involvements"] > 0


def test_the_national_manifest(nation: GeneratedNation) -> None:
    m = json.loads((nation.out_dir / "manifest.json").read_text("utf-8"))
    assert m["seed"] == 5 and m["scale"] == 0.02 and m["today"] == TODAY.isoformat()
    assert m["totals"] == nation.totals and m["year"] == 2025
    assert [a["la_code"] for a in m["authorities"]] == sorted(BIG)
    kent = next(a for a in m["authorities"] if a["la_code"] == "886")
    assert kent["name"] == "Kent" and kent["region"] == "South East"
    assert kent["figures"]["children_0_17"] == 355_390  # ONS mid-2024, Kent
    assert kent["children_0_17"] == round(355_390 * 0.02)
    assert m["children_0_17"] == sum(a["children_0_17"] for a in m["authorities"])


def _structure_checks() -> list[Callable[..., None]]:
    """The council tests' structural checks that take one generated council."""
    checks: list[Callable[..., None]] = []
    for name, fn in inspect.getmembers(structure, inspect.isfunction):
        params = set(inspect.signature(fn).parameters)
        if (
            name.startswith("test_")
            and "generated" in params
            and params
            <= {
                "generated",
                "spec_fields",
            }
        ):
            checks.append(fn)
    return checks


@pytest.mark.parametrize("check", _structure_checks(), ids=lambda fn: fn.__name__[5:])
def test_each_authority_passes_the_council_structure_checks(
    check: Callable[..., None], councils: list[Generated], spec_fields: dict[str, list[str]]
) -> None:
    for g in councils:
        kwargs: dict[str, Any] = {"generated": g}
        if "spec_fields" in inspect.signature(check).parameters:
            kwargs["spec_fields"] = spec_fields
        check(**kwargs)


def test_the_structure_checks_are_all_there() -> None:
    assert len(_structure_checks()) >= 15


# --- (c) each authority's own rates --------------------------------------------------------------


def _per_10k_on(g: Generated, on: date) -> tuple[float, float]:
    """Referrals in the year to ``on`` (a 31 March) and children looked after on it, per 10,000
    children aged 0-17."""
    cla = g.table("ssd_cla_episodes")
    start = pl.col("clae_cla_episode_start_date").str.to_date("%Y-%m-%d")
    end = pl.col("clae_cla_episode_ceased_date").str.to_date("%Y-%m-%d")
    looked_after = cla.filter((start <= on) & (end.is_null() | (end > on)))
    referred = pl.col("cine_referral_date").str.to_date("%Y-%m-%d")
    referrals = g.table("ssd_cin_episodes").filter(
        (referred > date(on.year - 1, 3, 31)) & (referred <= on)
    )
    pop = g.manifest["children_0_17"]
    return 10_000 * referrals.height / pop, 10_000 * looked_after["clae_person_id"].n_unique() / pop


@pytest.fixture(scope="module")
def own_rates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    """Blackpool, Richmond upon Thames, Windsor and Maidenhead and Islington at 0.3 of their size
    (8,700-13,200 children)."""
    out = tmp_path_factory.mktemp("own-rates")
    only = [HIGH_CLA, *LOW_CLA, MANY_STAFF]
    nation = generate_national(out, seed=1, today=TODAY, scale=0.3, workers=2, only=only)
    return {a.la_code: read_generated(council) for a, council in nation.councils}


def test_each_authority_generates_its_own_demand(
    own_rates: dict[str, Generated], authorities: list[NationalAuthority]
) -> None:
    """Blackpool looks after six times as many children per 10,000 as Richmond upon Thames and
    four and a half times as many as Windsor and Maidenhead (cla file, 2025, rate_per_10000: 184,
    27, 40), and its generated council does too. At 0.3 of their size a low authority's CLA count
    is a few dozen children in sibling groups, so only the high one is held close to its own
    rate; referrals, hundreds a year, are held close for all."""
    own = {a.la_code: a.profile for a in authorities}
    cla: dict[str, float] = {}
    for code, g in own_rates.items():
        measured = [_per_10k_on(g, date(y, 3, 31)) for y in (2025, 2026)]
        referrals = sum(m[0] for m in measured) / 2
        cla[code] = sum(m[1] for m in measured) / 2
        assert abs(referrals / own[code].referrals_per_10k - 1) <= 0.2, (code, referrals)
    assert abs(cla[HIGH_CLA] / own[HIGH_CLA].cla_per_10k - 1) <= 0.3, cla
    for low in LOW_CLA:
        assert cla[HIGH_CLA] > 2.5 * cla[low], cla


def test_each_authority_generates_its_own_workforce(
    own_rates: dict[str, Generated], authorities: list[NationalAuthority]
) -> None:
    """The staff in post and agency at 30 September 2025 come to the authority's own social
    worker FTE (CSWW 2025 inpost_fte + agency_fte, scaled): Islington's 330 FTE for 35,624
    children are 2.2 times England's rate per child, Blackpool's 204 for 28,923 1.7 times."""
    on = date(2025, 9, 30)
    fte: dict[str, float] = {}
    for code, g in own_rates.items():
        staff = g.staff.filter(
            (pl.col("start_date") <= on.isoformat())
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= on.isoformat()))
        )
        fte[code] = float(staff["fte"].cast(pl.Float64).sum())
        full = next(a for a in authorities if a.la_code == code).profile
        scaled = g.manifest["children_0_17"] / full.children_0_17
        target = scaled * (full.social_worker_fte or 0.0)
        assert abs(fte[code] / target - 1) <= 0.25, (code, fte[code], target)
    per_child = {code: fte[code] / g.manifest["children_0_17"] for code, g in own_rates.items()}
    assert per_child[MANY_STAFF] > 2 * per_child["318"], per_child
