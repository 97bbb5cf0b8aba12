"""Contacts: every referral starts with one, and most contacts do not become referrals.

About ``contact_conversion`` of contacts become referrals. The contacts that do not are partly
about children already known (at other times) and partly about children never referred, who
appear only in ``ssd_contacts`` (and ``ssd_person`` / ``ssd_family``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caseloads.synthetic import codes
from caseloads.synthetic.casework import Casework
from caseloads.synthetic.dates import BoolArray, IntArray, plus_years
from caseloads.synthetic.demand import Demand
from caseloads.synthetic.profile import CouncilProfile
from caseloads.synthetic.seasonal import Season


@dataclass
class Contacts:
    """Contacts from ``first`` to ``today``. ``person`` indexes referred children first, then the
    contact-only children described by ``new_dob`` / ``new_family``."""

    person: IntArray
    day: IntArray
    source: IntArray  # index into codes.REFERRAL_SOURCES
    referral: BoolArray  # the contact became the referral of a CIN episode
    new_dob: IntArray
    new_family: IntArray  # family numbers continue after the referred families


def generate_contacts(
    rng: np.random.Generator,
    profile: CouncilProfile,
    season: Season,
    demand: Demand,
    casework: Casework,
    first: int,
    today: int,
) -> Contacts:
    p = profile
    ce = casework.episodes
    in_window = (ce.referral >= first) & (ce.referral <= today)
    ref_child = ce.child[in_window]
    lag = rng.choice(np.array([0, 0, 0, 1, 2, 3], dtype=np.int64), size=ref_child.size)
    ref_day = np.maximum(ce.referral[in_window] - lag, first)
    ref_source = demand.episodes.source[ce.fe[in_window]]
    n_ref = ref_child.size
    extra = round(n_ref * (1.0 / p.contact_conversion - 1.0))

    # Contacts about children known to the service in the last few years, at other times while
    # they were under 18.
    n_known = round(extra * p.contacts_about_known_children)
    recent = (ce.close >= first - 3 * 365) & (ce.referral <= today)
    known_pool = np.unique(ce.child[recent])
    lo = np.maximum(casework.child_dob[known_pool], first)
    hi = np.minimum(casework.child_b18[known_pool] - 1, today)
    known_pool = known_pool[hi >= lo]
    pick = known_pool[rng.integers(0, known_pool.size, n_known)] if known_pool.size else known_pool
    k_lo = np.maximum(casework.child_dob[pick], first)
    k_hi = np.minimum(casework.child_b18[pick] - 1, today)
    k_day = season.uniform_days(rng, k_lo, k_hi)

    # Contacts about children never referred: sibling groups contacted together, some twice.
    n_new = extra - n_known
    size_w = np.array(p.family_size_weights, dtype=np.float64)
    size_w /= size_w.sum()
    mean_size = float(np.dot(size_w, np.arange(1, size_w.size + 1)))
    repeat_share = 0.35
    n_fam = max(0, round(n_new / (mean_size * (1 + repeat_share))))
    fam_size = rng.choice(size_w.size, size=n_fam, p=size_w).astype(np.int64) + 1
    fam_day = season.arrivals(rng, n_fam / max(1, today - first + 1), first, today)
    if fam_day.size != n_fam:  # Poisson count: use the days drawn, trimmed or topped up
        n_fam = fam_day.size
        fam_size = rng.choice(size_w.size, size=n_fam, p=size_w).astype(np.int64) + 1
    n_child = int(fam_size.sum())
    child_fam = np.repeat(np.arange(n_fam, dtype=np.int64), fam_size)
    bands = p.referral_age_bands
    bw = np.array([b[2] for b in bands], dtype=np.float64)
    band = rng.choice(len(bands), size=n_child, p=bw / bw.sum())
    low = np.array([b[0] for b in bands], dtype=np.float64)[band]
    high = np.array([b[1] for b in bands], dtype=np.float64)[band] + 1.0
    age_days = np.floor((low + rng.random(n_child) * (high - low)) * 365.25).astype(np.int64)
    new_dob = fam_day[child_fam] - age_days
    again = rng.random(n_fam) < repeat_share
    second = np.minimum(fam_day + rng.integers(30, 720, n_fam), today)
    b18 = plus_years(new_dob, 18)
    second_ok = (
        again[child_fam] & (second[child_fam] < b18) & (second[child_fam] > fam_day[child_fam])
    )
    base = casework.child_dob.size
    new_person = base + np.arange(n_child, dtype=np.int64)
    n_day = np.concatenate([fam_day[child_fam], second[child_fam][second_ok]])
    n_person = np.concatenate([new_person, new_person[second_ok]])

    person = np.concatenate([ref_child, pick, n_person])
    days = np.concatenate([ref_day, k_day, n_day])
    n_other = pick.size + n_person.size
    source = np.concatenate([ref_source, codes.draw(rng, codes.REFERRAL_SOURCES, n_other)])
    referral = np.concatenate([np.ones(n_ref, dtype=np.bool_), np.zeros(n_other, dtype=np.bool_)])
    order = np.lexsort((person, days))
    return Contacts(
        person=person[order],
        day=days[order],
        source=source[order],
        referral=referral[order],
        new_dob=new_dob,
        new_family=child_fam + demand.families_size.size,
    )
