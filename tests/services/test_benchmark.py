"""``caseloads benchmark`` through the service: init loads the bundled DfE tables once, the
comparison gives the published figures (cited by file and line; the header is line 1), and the
authority's own figures come from its loaded data. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from caseloads.config import Settings
from caseloads.errors import DatabaseError, NotFoundError
from caseloads.ingest import dfe_tables
from caseloads.services import benchmark as service
from caseloads.services.benchmark import benchmark_comparison
from caseloads.services.database import Database, open_database
from caseloads.services.imports import import_path
from caseloads.services.setup import initialise
from caseloads.services.workforce import workforce_indicators
from caseloads.store import benchmarks as store
from caseloads.store import repositories
from caseloads.store.tables import benchmarks


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    initialise(settings)
    database = open_database(settings)
    yield database
    database.dispose()


def row_for(rows: list[dict[str, Any]], measure: str, year: int | None = None) -> dict[str, Any]:
    found = [r for r in rows if r["measure"] == measure and (year is None or r["year"] == year)]
    assert len(found) == 1, found
    return found[0]


def test_init_loads_the_bundled_tables_once(settings: Settings, db: Database) -> None:
    expected = dfe_tables.benchmark_rows().height
    with db.engine.connect() as conn:
        assert store.count(conn) == expected
        digest = repositories.get_meta(conn, service.BENCHMARKS_DIGEST)
    assert digest == dfe_tables.bundled_digest()
    initialise(settings)  # again: nothing duplicated, nothing rewritten
    with db.engine.begin() as conn:
        assert store.count(conn) == expected
        assert service.load_bundled(conn) == 0
        # Rows lost (or an older package's digest) make the next init load them again.
        conn.execute(delete(benchmarks))
    initialise(settings)
    with db.engine.begin() as conn:
        assert store.count(conn) == expected
        repositories.set_meta(conn, service.BENCHMARKS_DIGEST, "older")
        assert service.load_bundled(conn) == expected
        assert store.count(conn) == expected


def test_stored_rows_read_back_as_published(db: Database) -> None:
    with db.engine.connect() as conn:
        stored = store.read_all(conn)
    bundled = dfe_tables.benchmark_rows()
    keys = ["geographic_level", "area_code", "year", "measure"]
    assert stored.sort(keys).equals(bundled.select(stored.columns).sort(keys))


def test_published_figures_england_region_and_neighbours(db: Database) -> None:
    rows = benchmark_comparison(db, "301", 2025)
    assert json.loads(json.dumps(rows)) == rows  # JSON-safe: what the API will serve
    assert [r["measure"] for r in rows][:2] == ["inpost_fte", "inpost_headcount"]
    turnover = row_for(rows, "turnover_rate_fte")
    # csww_indicators_2017_to_2025.csv line 147 (2025, 301 Barking and Dagenham): 14.8;
    # line 2 (England 2025): 11.8; line 9 (London 2025): 13.8.
    assert turnover["value"] == 14.8 and turnover["symbol"] is None
    assert turnover["england_value"] == 11.8
    assert (turnover["region_code"], turnover["region_value"]) == ("E12000007", 13.8)
    # Neighbours' mean by hand in tests/domain/test_benchmarking.py: 123.0 / 10 = 12.3, rank 3.
    assert turnover["sn_mean"] == 12.3
    assert (turnover["sn_rank"], turnover["sn_ranked"], turnover["sn_with_value"]) == (3, 11, 10)
    assert turnover["source"] == "csww_indicators_2017_to_2025.csv"
    assert turnover["computed"] is None  # nothing of 301's is loaded
    # cla_number_and_rate_per_10k_children.csv line 447 (2025, 301): 65; line 3 (England): 67.
    cla = row_for(rows, "cla_rate_per_10000")
    assert (cla["value"], cla["england_value"]) == (65.0, 67.0)
    # b1 line 148 / ONS line 148: 2578 / 66465 x 10,000 = 387.9
    assert row_for(rows, "cin_rate_per_10000")["value"] == 387.9


def test_default_year_is_each_measures_latest_and_all_years(db: Database) -> None:
    latest = benchmark_comparison(db, "301")
    assert {r["year"] for r in latest} == {2025}
    # Cumbria (909) was replaced in 2023: its latest CSWW year is 2022, its latest CLA 2022.
    cumbria = benchmark_comparison(db, "909")
    assert row_for(cumbria, "turnover_rate_fte")["year"] == 2022
    every = benchmark_comparison(db, "301", all_years=True)
    years = sorted(r["year"] for r in every if r["measure"] == "turnover_rate_fte")
    assert years == list(range(2017, 2026))
    assert sorted(r["year"] for r in every if r["measure"] == "cla_rate_per_10000") == [
        2021, 2022, 2023, 2024, 2025
    ]  # fmt: skip


def test_every_authority_in_one_call(db: Database) -> None:
    rows = benchmark_comparison(db, None, 2025)
    codes = {r["la_code"] for r in rows}
    assert len(codes) == dfe_tables.authorities().height
    assert {"301", "213", "318", "420"} <= codes


def test_symbols_are_kept_in_the_output(db: Database) -> None:
    rows = benchmark_comparison(db, "213", 2025)
    # line 146: Westminster 2025 is x throughout; neighbour 207 is x too.
    caseload = row_for(rows, "caseload_fte")
    assert (caseload["value"], caseload["symbol"], caseload["sn_rank"]) == (None, "x", None)
    assert (caseload["sn_with_value"], caseload["sn_count"]) == (9, 10)
    city = benchmark_comparison(db, "201", 2025)
    # d5 line 135 and the CLA file line 405: City of London 2025 CPP_At31 c, CLA rate c.
    assert row_for(city, "cpp_rate_per_10000")["symbol"] == "c"
    assert row_for(city, "cla_rate_per_10000")["symbol"] == "c"


def test_joint_return_is_flagged(db: Database) -> None:
    rows = benchmark_comparison(db, "318", 2025)
    inpost = row_for(rows, "inpost_fte")
    # line 160: "314 / 318" Kingston upon Thames / Richmond upon Thames, inpost_fte 137.4
    assert (inpost["value"], inpost["joint_return"]) == (137.4, "314 / 318")
    assert inpost["sn_tied"] == 1  # 314, one of Richmond's neighbours, has the same return


def test_unknown_authority_year_and_missing_tables(db: Database) -> None:
    with pytest.raises(NotFoundError, match="no local authority '999'"):
        benchmark_comparison(db, "999")
    with pytest.raises(NotFoundError, match="no DfE benchmarks for 1990"):
        benchmark_comparison(db, "301", 1990)
    # 2012 has only an ONS estimate (the denominator of 2013's rates), no compared measure.
    with pytest.raises(NotFoundError, match="years available 2013-2025"):
        benchmark_comparison(db, "301", 2012)
    with db.engine.begin() as conn:
        conn.execute(delete(benchmarks))
    with pytest.raises(DatabaseError, match="caseloads init"):
        benchmark_comparison(db, "301")


def test_workforce_hook_answers_none_without_a_return(db: Database) -> None:
    assert service.own_workforce_figures(db, 2025, "301") is None
    assert service.own_workforce_figures(db, 2025) is None


CSWW_SAMPLE = Path(__file__).parents[1] / "fixtures" / "xml_samples" / "csww_2022_sample.xml"


def test_own_csww_figures_from_the_loaded_return(db: Database) -> None:
    # The liia-tools sample return: LEA 301, census year 2022 (random values, fake data).
    import_path(db, "csww", CSWW_SAMPLE)
    own = workforce_indicators(db, la_code="301", year=2022)[0]
    rows = benchmark_comparison(db, "301", 2022)
    measures = [r for r in rows if r["measure"] in dfe_tables.CSWW_MEASURES]
    assert len(measures) == 22
    for row in measures:
        # The same figures as `caseloads workforce --year 2022`, beside the published ones.
        assert row["computed"] == own[row["measure"]], row["measure"]
        assert row["computed_source"] == service.WORKFORCE_SOURCE
    turnover = row_for(rows, "turnover_rate_fte")
    # csww_indicators_2017_to_2025.csv, 2022, 301 Barking and Dagenham: the published 2022
    # turnover is unchanged by the loaded return.
    published = [
        r
        for r in dfe_tables.benchmark_rows().to_dicts()
        if (r["area_code"], r["year"], r["measure"]) == ("301", 2022, "turnover_rate_fte")
    ]
    assert turnover["value"] == published[0]["value"]
    # Other years have no return loaded: no own figure.
    assert all(
        r["computed"] is None
        for r in benchmark_comparison(db, "301", 2023)
        if r["measure"] in dfe_tables.CSWW_MEASURES
    )
    everyone = benchmark_comparison(db, None, 2022)
    assert [r["la_code"] for r in everyone if r["computed"] is not None] == ["301"] * 22


SSD = {
    "ssd_person.csv": "pers_person_id,pers_sex,pers_dob\nC1,F,2015-01-01\nC2,M,2016-01-01\n"
    "C3,F,2012-01-01\nC4,M,2020-01-01\n",
    "ssd_cin_episodes.csv": "cine_referral_id,cine_person_id,cine_referral_date,cine_close_date\n"
    "R0,C4,2022-01-01,2023-01-01\n"
    "R1,C1,2024-06-01,\n"
    "R2,C2,2025-01-10,2025-03-31\n"
    "R3,C3,2023-05-01,2025-06-30\n"
    "R4,C4,2025-04-02,\n",
    "ssd_cp_plans.csv": "cppl_cp_plan_id,cppl_person_id,cppl_cp_plan_start_date,"
    "cppl_cp_plan_end_date\nCP1,C1,2024-07-01,\n",
    "ssd_cla_episodes.csv": "clae_cla_episode_id,clae_person_id,clae_cla_episode_start_date,"
    "clae_cla_episode_ceased_date\nE1,C3,2024-09-01,\n",
}


def test_own_rates_from_loaded_records(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "ssd"
    folder.mkdir()
    for name, text in SSD.items():
        (folder / name).write_text(text, encoding="utf-8")
    import_path(db, "ssd", folder, la_code="201")
    rows = benchmark_comparison(db, "201", all_years=True)
    own = {
        (r["measure"], r["year"]): r["computed"]
        for r in rows
        if r["computed"] is not None and r["measure"].endswith("per_10000")
    }
    # At 31 March 2025: CIN open C1 and C3 (C2's ended on the day, C4's starts after): 2;
    # CP plans: C1; looked after: C3. Over ONS mid-2024 children in City of London, 847
    # (ons file line 135): 2 / 847 x 10,000 = 23.6; 1 / 847 x 10,000 = 11.8, whole number 12.
    # At 31 March 2024: CIN C3 only, over mid-2023's 918 (line 300): 10.9. The plans and
    # episodes loaded start later, so no 2024 CPP or CLA figure (not a zero). The earliest end
    # (R0, 1 January 2023) is where the extract's window opens: no figure for 2022 or before;
    # at 31 March 2023 the window is open and no referral is: a count of 0, so a rate of 0.0.
    assert own == {
        ("cin_rate_per_10000", 2025): 23.6,
        ("cpp_rate_per_10000", 2025): 11.8,
        ("cla_rate_per_10000", 2025): 12.0,
        ("cin_rate_per_10000", 2024): 10.9,
        ("cin_rate_per_10000", 2023): 0.0,
    }
    cla = row_for(rows, "cla_rate_per_10000", 2025)
    assert cla["symbol"] == "c" and cla["computed_source"] == service.DEMAND_SOURCE
    # The published figure beside it is unchanged: b1 line 135, 69 / 847 x 10,000 = 814.6
    assert row_for(rows, "cin_rate_per_10000", 2025)["value"] == 814.6
