"""The people in the extracts: children (sex, ethnicity, birth date, SEND, nationality) and the
identifiers of children and workers.

Identifiers are synthetic and carry no meaning: ``C`` + 7 digits for a child, ``W`` + 5 digits for a
worker's HR reference, ``P`` + 5 digits for a professional in the case-management system, and a
made-up Social Work England number (``SW`` + 10 digits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caseloads.synthetic import codes
from caseloads.synthetic.dates import BoolArray, IntArray, StrArray


@dataclass
class Children:
    """Attributes of every child (referred children first, then contact-only children)."""

    dob: IntArray
    family: IntArray
    sex: StrArray  # M, F, U
    ethnicity: StrArray
    send: BoolArray
    nationality: StrArray  # only for unaccompanied asylum-seeking children


def describe_children(
    rng: np.random.Generator,
    dob: IntArray,
    family: IntArray,
    uasc: BoolArray,
) -> Children:
    """Sex, ethnicity, SEND flag and (for asylum-seeking children) nationality, vectorised.
    Sex: about half each, a few unknown [A]; ethnicity: ``codes.CHILD_ETHNICITY``; about one in six
    children in need has an EHC plan [A]; siblings share an ethnicity."""
    n = dob.size
    u = rng.random(n)
    sex = np.where(u < 0.004, "U", np.where(u < 0.502, "M", "F"))
    n_fam = int(family.max()) + 1 if n else 0
    fam_eth = codes.codes(codes.CHILD_ETHNICITY)[codes.draw(rng, codes.CHILD_ETHNICITY, n_fam)]
    ethnicity = fam_eth[family] if n else np.array([], dtype=str)
    # Asylum-seeking children: ethnicity recorded from their origin.
    origin = codes.draw(rng, codes.UASC_NATIONALITY, n)
    nat = codes.codes(codes.UASC_NATIONALITY)[origin]
    asian_or_other = np.where(
        np.isin(nat, ["Afghanistan", "Iran", "Iraq", "Syria"]), "OOTH", "BAFR"
    )
    asian_or_other = np.where(nat == "Afghanistan", "AOTH", asian_or_other)
    asian_or_other = np.where(nat == "Vietnam", "AOTH", asian_or_other)
    asian_or_other = np.where(nat == "Albania", "WOTH", asian_or_other)
    ethnicity = np.where(uasc, asian_or_other, ethnicity)
    sex = np.where(uasc & (rng.random(n) < 0.92), "M", sex)
    send = rng.random(n) < 0.16
    nationality = np.where(uasc, nat, "")
    return Children(
        dob=dob, family=family, sex=sex, ethnicity=ethnicity, send=send, nationality=nationality
    )


def prefixed(prefix: str, numbers: IntArray, width: int) -> StrArray:
    """``prefix`` + zero-padded ``numbers`` (vectorised)."""
    if np.size(numbers) == 0:  # np.char.zfill refuses an empty array
        return np.array([], dtype=str)
    digits = np.char.zfill(np.asarray(numbers, dtype=np.int64).astype(str), width)
    return np.char.add(prefix, digits)


def rank(keys: list[IntArray], n: int) -> IntArray:
    """Position of each of ``n`` items when sorted by ``keys`` (most significant first)."""
    order = np.lexsort(tuple(reversed(keys))) if keys else np.arange(n)
    out = np.empty(n, dtype=np.int64)
    out[order] = np.arange(n, dtype=np.int64)
    return out


def swe_numbers(rng: np.random.Generator, n: int) -> StrArray:
    """``n`` distinct made-up Social Work England numbers: ``SW`` + 10 digits."""
    seen: dict[int, None] = {}
    while len(seen) < n:
        for x in rng.integers(1_000_000_000, 10_000_000_000, n - len(seen) + 8).tolist():
            if len(seen) < n:
                seen.setdefault(int(x), None)
    return np.char.add("SW", np.array(list(seen), dtype=np.int64).astype(str))
