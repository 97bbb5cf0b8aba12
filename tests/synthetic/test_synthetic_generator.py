"""The generator's contract: deterministic, fast, and usable with a profile built from an
authority's own figures."""

from __future__ import annotations

import hashlib
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from tests.synthetic.synth_support import TODAY, Generated, read_generated

from caseloads.synthetic.council import generate_council
from caseloads.synthetic.profile import COUNCIL, SMALL, CouncilProfile, profile_for
from caseloads.synthetic.rng import Streams


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    first = generate_council(tmp_path / "a", seed=3, size="small", today=TODAY)
    second = generate_council(tmp_path / "b", seed=3, size="small", today=TODAY)
    other = generate_council(tmp_path / "c", seed=4, size="small", today=TODAY)
    a, b, c = _digests(first.out_dir), _digests(second.out_dir), _digests(other.out_dir)
    assert a == b
    assert len(a) == 15 + 5 + 7  # SSD tables, CSWW returns, six CSVs and the manifest
    differing = [name for name in a if a[name] != c.get(name)]
    assert "ssd/ssd_involvements.csv" in differing and "staff.csv" in differing
    assert first.row_counts == second.row_counts


def test_the_council_is_reproduced_exactly(council: Generated, tmp_path: Path) -> None:
    again = generate_council(tmp_path / "again", seed=1, size="council", today=TODAY)
    assert _digests(again.out_dir) == _digests(council.result.out_dir)


def test_authority_code_and_today_change_the_data(tmp_path: Path) -> None:
    base = generate_council(tmp_path / "a", seed=1, size="small", today=TODAY, la_code="826")
    la = generate_council(tmp_path / "b", seed=1, size="small", today=TODAY, la_code="201")
    assert _digests(base.out_dir)["staff.csv"] != _digests(la.out_dir)["staff.csv"]
    root = la.csww_files[0].read_text("utf-8")
    assert "<LEA>201</LEA>" in root
    later = generate_council(tmp_path / "c", seed=1, size="small", today=date(2027, 3, 1))
    assert [p.name for p in later.csww_files] == [f"csww_{y}.xml" for y in range(2022, 2027)]


def test_named_streams_are_independent() -> None:
    s = Streams(1, "826")
    first = s.get("demand").random(3)
    s.get("workforce").random(1000)
    assert (Streams(1, "826").get("demand").random(3) == first).all()
    assert not (Streams(1, "827").get("demand").random(3) == first).all()
    with pytest.raises(ValueError):
        Streams(-1, "826")


def test_small_generates_quickly(tmp_path: Path) -> None:
    started = time.perf_counter()
    result = generate_council(tmp_path, seed=1, size="small", today=TODAY)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, elapsed  # about 0.3 s on a laptop; loose for noisy machines
    assert result.row_counts["ssd_person"] > 0


def test_small_is_the_council_in_miniature(small: Generated) -> None:
    dept = small.table("ssd_department")
    assert 3 <= dept.height <= 4
    staff = small.staff
    on = TODAY
    active = staff.filter(
        (pl.col("start_date") <= on.isoformat())
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= on.isoformat()))
    )
    assert 12 <= float(active["fte"].cast(pl.Float64).sum()) <= 30
    assert small.manifest["children_0_17"] == 6_000
    assert len(small.csww) == 5


def test_progress_is_reported(tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    generate_council(tmp_path, size="small", today=TODAY, progress=lambda s, f: seen.append((s, f)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_a_profile_from_an_authoritys_own_figures(tmp_path: Path) -> None:
    profile = CouncilProfile.from_figures(
        "Test authority",
        children_0_17=30_000,
        referrals=1_700,
        cin_at31=1_050,
        cp_at31=140,
        cla_at31=230,
        social_worker_fte=75.0,
    )
    assert profile.referrals_per_10k == pytest.approx(566.7, abs=0.1)
    assert profile.cp_scale > 1.0  # more CP plans per referral than England
    result = generate_council(tmp_path, seed=1, profile=profile, today=TODAY, la_code="999")
    g = read_generated(result)
    assert g.manifest["children_0_17"] == 30_000 and g.manifest["size"] == "Test authority"
    active = g.staff.filter(pl.col("end_date").is_null())
    fte = float(active["fte"].cast(pl.Float64).sum())
    assert 75 * 0.75 <= fte <= 75 * 1.25, fte


def test_built_in_profiles() -> None:
    assert profile_for("council") is COUNCIL and profile_for("small") is SMALL
    assert COUNCIL.children_0_17 == 80_000 and SMALL.children_0_17 == 6_000
    with pytest.raises(ValueError):
        profile_for("huge")
