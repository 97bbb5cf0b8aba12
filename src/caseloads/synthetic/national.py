"""Every English local authority with children's services, generated from its own figures.

>>> from datetime import date
>>> from pathlib import Path
>>> from caseloads.synthetic.national import generate_national, national_authorities
>>> len(national_authorities())
153
>>> nation = generate_national(Path("england"), today=date(2026, 11, 22), scale=0.02)
... # doctest: +SKIP

:func:`national_authorities` sizes each authority with :meth:`CouncilProfile.from_figures` from
its published figures (see :mod:`caseloads.synthetic.national_figures` for each file and column,
and for the fallbacks where a figure is suppressed or missing):

- children aged 0-17: ONS mid-year estimates (``ons_mid-year_population_estimates_2012_to_2024``,
  ``population_estimate``, mid-2024 for 2025);
- referrals in the year: c1 ``referral_count``;
- children in need at 31 March: b1 ``At31_episodes``;
- child protection plans at 31 March: d5 ``CPP_At31``;
- children looked after at 31 March: ``cla_number_and_rate_per_10k_children`` ``children_count``
  (``population_type`` "Children looked after on 31 March each year");
- social worker FTE: ``csww_indicators_2017_to_2025`` ``inpost_fte + agency_fte`` (30 September),
  joint returns split by children;
- the shape of the workforce (teams, social workers without cases, caseload band): the same
  file's ``case_holders_fte`` and ``cases`` (see :meth:`AuthorityFigures.profile`).

:func:`generate_national` writes each authority with the council generator
(:func:`caseloads.synthetic.council.generate_council`) into ``out_dir/<la_code>/`` (exactly the
council layout), in parallel processes, plus ``out_dir/manifest.json``. At full scale that is
12,183,016 children, 44.6 million rows (9.7 million involvements) and 2.6 GB of files; the staff
in post and agency at 30 September 2025 come to about 40,400 FTE (England: 41,602), and the whole
run takes about 2.5 minutes on two processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from caseloads.synthetic.council import (
    FORMAT_VERSION,
    GENERATOR,
    GeneratedCouncil,
    generate_council,
)
from caseloads.synthetic.national_figures import (
    AuthorityFigures,
    Fallback,
    national_figures,
)
from caseloads.synthetic.profile import CouncilProfile
from caseloads.synthetic.writers import write_json

__all__ = [
    "AuthorityFigures",
    "Fallback",
    "GeneratedNation",
    "NationalAuthority",
    "generate_national",
    "national_authorities",
    "national_figures",
]

#: The reporting year :func:`generate_national` uses (CIN/CLA to 31 March, CSWW to 30 September).
NATIONAL_YEAR = 2025


@dataclass(frozen=True)
class NationalAuthority:
    """One English local authority with children's services.

    ``la_code``: the 3-digit DfE number (``old_la_code``); ``name``: as DfE publishes it;
    ``region``: the English region (Inner and Outer London are London); ``profile``: the
    authority sized from its own figures (:meth:`AuthorityFigures.profile`).
    """

    la_code: str
    name: str
    region: str
    profile: CouncilProfile


@dataclass(frozen=True)
class GeneratedNation:
    """A generated England: where the files are, each authority with its generated council (in
    ``la_code`` order; each authority's profile is the one generated, so already scaled), and the
    data rows per file stem summed over the authorities."""

    out_dir: Path
    councils: list[tuple[NationalAuthority, GeneratedCouncil]]
    totals: dict[str, int]


def national_authorities(year: int = NATIONAL_YEAR) -> list[NationalAuthority]:
    """Every local authority with children's services in ``year`` (153 in 2025), in ``la_code``
    order, each sized from its own published figures (:func:`national_figures`)."""
    return [_authority(f, 1.0) for f in national_figures(year)]


def _authority(figures: AuthorityFigures, scale: float) -> NationalAuthority:
    return NationalAuthority(
        la_code=figures.la_code,
        name=figures.name,
        region=figures.region,
        profile=figures.profile(scale),
    )


@dataclass(frozen=True)
class _Task:
    """What a worker process needs to generate one authority (picklable)."""

    la_code: str
    out_dir: Path
    seed: int
    today: date
    profile: CouncilProfile


def _generate_one(task: _Task) -> GeneratedCouncil:
    return generate_council(
        task.out_dir,
        seed=task.seed,
        today=task.today,
        la_code=task.la_code,
        profile=task.profile,
    )


def generate_national(
    out_dir: Path,
    *,
    seed: int = 1,
    today: date,
    scale: float = 1.0,
    workers: int | None = None,
    only: Sequence[str] | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> GeneratedNation:
    """Generate every English authority (or those in ``only``) under ``out_dir/<la_code>/``.

    ``seed``: the national seed. Each authority's random streams are derived from
    ``(seed, la_code)``: the council generator's :class:`~caseloads.synthetic.rng.Streams` mixes a
    SHA-256 of the ``la_code`` into the seed, so the national seed is passed on unchanged (and is
    what each authority's manifest records); ``generate_council(out, seed=seed, la_code=code,
    profile=authority.profile, today=today)`` regenerates one authority alone, byte for byte.
    Nothing depends on the number of workers or the order they finish in.
    ``today``: the last day of the five years of history. ``scale``: multiplies every authority's
    children, and with them every count and its social worker FTE (the rates stay the
    authority's own); 0.02 gives a small England for tests. ``workers``: processes
    (``os.cpu_count()`` by default; 1 runs in this process). ``only``: the ``la_code`` values to
    generate (all by default). ``progress``: called with a stage name and the fraction done (by
    children), after each authority.

    The processes are started with ``spawn`` (Polars is not safe to fork once its thread pool
    runs), so a script calling this at import time needs an ``if __name__ == "__main__":`` guard.
    Directories of authorities not generated in this run are left as they are.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    n_workers = (os.cpu_count() or 1) if workers is None else workers
    if n_workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")

    def tick(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    figures = {f.la_code: f for f in national_figures(NATIONAL_YEAR)}
    if only is not None:
        wanted = {only} if isinstance(only, str) else set(only)
        unknown = sorted(wanted - set(figures))
        if unknown:
            raise ValueError(f"unknown la_code {unknown}; see national_authorities()")
        figures = {code: f for code, f in figures.items() if code in wanted}
    authorities = {code: _authority(f, scale) for code, f in figures.items()}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = [_Task(code, out_dir / code, seed, today, a.profile) for code, a in authorities.items()]
    # Largest first, so that the last ones to finish are small.
    tasks.sort(key=lambda t: (-t.profile.children_0_17, t.la_code))
    total_children = sum(t.profile.children_0_17 for t in tasks) or 1
    tick("figures", 0.0)

    results: dict[str, GeneratedCouncil] = {}
    done_children = 0

    def finished(task: _Task, council: GeneratedCouncil) -> None:
        nonlocal done_children
        results[task.la_code] = council
        done_children += task.profile.children_0_17
        tick(f"{task.la_code} {task.profile.name}", 0.99 * done_children / total_children)

    if n_workers == 1 or len(tasks) <= 1:
        for task in tasks:
            try:
                council = _generate_one(task)
            except Exception as exc:
                raise _failed(task) from exc
            finished(task, council)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(n_workers, len(tasks)), mp_context=context
        ) as pool:
            futures: dict[Future[GeneratedCouncil], _Task] = {
                pool.submit(_generate_one, task): task for task in tasks
            }
            try:
                for future in as_completed(futures):
                    task = futures[future]
                    try:
                        council = future.result()
                    except Exception as exc:
                        raise _failed(task) from exc
                    finished(task, council)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise

    councils = [(authorities[code], results[code]) for code in sorted(results)]
    totals: dict[str, int] = {}
    for _, council in councils:
        for stem, rows in council.row_counts.items():
            totals[stem] = totals.get(stem, 0) + rows
    totals = dict(sorted(totals.items()))
    write_json(
        out_dir / "manifest.json",
        {
            "generator": GENERATOR,
            "format_version": FORMAT_VERSION,
            "kind": "national",
            "seed": seed,
            "scale": scale,
            "today": today.isoformat(),
            "year": NATIONAL_YEAR,
            "children_0_17": sum(a.profile.children_0_17 for a, _ in councils),
            "authorities": [
                _manifest_entry(authority, figures[authority.la_code]) for authority, _ in councils
            ],
            "totals": totals,
        },
    )
    tick("done", 1.0)
    return GeneratedNation(out_dir=out_dir, councils=councils, totals=totals)


def _failed(task: _Task) -> RuntimeError:
    return RuntimeError(
        f"generating {task.la_code} ({task.profile.name}, "
        f"{task.profile.children_0_17} children) failed"
    )


def _manifest_entry(authority: NationalAuthority, figures: AuthorityFigures) -> dict[str, object]:
    """One authority in the national manifest: what was generated, the published figures it was
    sized from (full scale) and the fallbacks used."""
    return {
        "la_code": authority.la_code,
        "new_la_code": figures.new_la_code,
        "name": authority.name,
        "region": authority.region,
        "directory": authority.la_code,
        "children_0_17": authority.profile.children_0_17,
        "social_worker_fte": _round(authority.profile.social_worker_fte or 0.0),
        "teams": dict(authority.profile.teams),
        "without_cases": authority.profile.quality_assurance_officers,
        "figures": {
            "children_0_17": figures.children_0_17,
            "referrals": _round(figures.referrals),
            "cin_at31": _round(figures.cin_at31),
            "cp_at31": _round(figures.cp_at31),
            "cla_at31": _round(figures.cla_at31),
            "inpost_fte": _round(figures.inpost_fte),
            "agency_fte": _round(figures.agency_fte),
            "case_holders_fte": _round(figures.case_holders_fte),
            "cases": _round(figures.cases),
        },
        "fallbacks": [
            {"figure": f.figure, "rule": f.rule, "detail": f.detail} for f in figures.fallbacks
        ],
    }


def _round(value: float) -> float:
    return round(value, 3)
