"""Named, independent random streams.

Every part of the generator draws from its own ``numpy.random.Generator(PCG64)``, derived from
one root ``SeedSequence`` by a fixed spawn key per part name (what ``SeedSequence.spawn`` does,
but keyed by name rather than by call order). Adding a part, or drawing more numbers in one part,
therefore never changes what another part draws.
"""

from __future__ import annotations

import hashlib
import zlib

import numpy as np


def stable_int(text: str) -> int:
    """A 64-bit integer from ``text`` that is the same on every machine and Python run (unlike
    ``hash``)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


class Streams:
    """The random streams of one generated council.

    ``seed`` is the user's seed; ``la_code`` (the DfE authority number) is mixed in so that a run
    over every authority with one seed gives each authority different data.
    """

    def __init__(self, seed: int, la_code: str) -> None:
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        self._entropy = [int(seed), stable_int(la_code)]

    def get(self, name: str) -> np.random.Generator:
        """The generator for the part called ``name`` (one name, one stream, always)."""
        key = zlib.crc32(name.encode("utf-8"))
        sequence = np.random.SeedSequence(entropy=self._entropy, spawn_key=(key,))
        return np.random.Generator(np.random.PCG64(sequence))
