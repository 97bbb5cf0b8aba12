"""Identifiers at the ingest boundary: normalise, hash, and keep out of findings.

- Every ``id`` field of a :class:`~caseloads.ingest.schema.Schema` is replaced by its keyed hash
  (:mod:`caseloads.ingest.pseudonymise`, design.md §4 and §8) in the namespace the field names:
  ``local_namespace(la, kind)`` for identifiers local to the authority, ``swe_namespace()`` for
  Social Work England numbers. The same kind is used wherever the same identifier is referenced
  (``cine_referral_id`` and ``invo_referral_id`` are both ``referral``), so hashed rows still join.
- SWE numbers arrive here normalised (:func:`caseloads.ingest.parse.swe`).
- :class:`Hasher` gives exactly :meth:`Pseudonymiser.series`'s digests, but hashes each distinct
  value once per extract (not once per table) and joins the digests back instead of a dictionary
  replace, which is about twice as fast for a million distinct ids.
- A finding never carries a raw identifier: see :func:`caseloads.ingest.parse.shape`.
"""

from __future__ import annotations

import polars as pl

from caseloads.ingest.pseudonymise import Pseudonymiser, local_namespace, swe_namespace
from caseloads.ingest.schema import Schema

SWE = "swe"


def namespace_for(kind: str, la_code: str) -> str:
    return swe_namespace() if kind == SWE else local_namespace(la_code, kind)


class Hasher:
    """Hashes the identifiers of one extract, remembering each namespace's digests, so that an id
    referenced by several tables (a person, a referral) is hashed only once per read.

    A column whose values are all distinct (a record's own id) is hashed in place, value by value,
    with no look-up; its digests are remembered for the columns that refer to it. A column with
    repeats (the child on each involvement) hashes only the distinct values not seen before and
    joins the digests back."""

    def __init__(self, p: Pseudonymiser, la_code: str) -> None:
        self._p = p
        self._la = la_code
        self._parts: dict[str, list[pl.DataFrame]] = {}

    def hash(self, values: pl.Series, kind: str) -> pl.Series:
        """Hash in the namespace of ``kind`` (``person``, ``worker``, ``swe`` ...)."""
        return self.hash_in(values, namespace_for(kind, self._la))

    def _seen(self, namespace: str) -> pl.DataFrame | None:
        parts = self._parts.get(namespace)
        if not parts:
            return None
        if len(parts) > 1:
            parts[:] = [pl.concat(parts).unique(subset="k", keep="first")]
        return parts[0]

    def _remember(self, namespace: str, lookup: pl.DataFrame) -> None:
        self._parts.setdefault(namespace, []).append(lookup)

    def hash_in(self, values: pl.Series, namespace: str) -> pl.Series:
        """Keyed hash of each value in ``namespace``; blank and null stay null."""
        stripped = pl.col("k").cast(pl.String).str.strip_chars()
        text = (
            values.to_frame("k")
            .select(pl.when(stripped.str.len_bytes() > 0).then(stripped).alias("k"))
            .to_series()
        )
        distinct = text.drop_nulls().unique()
        if distinct.len() == text.len() - text.null_count():
            digests = pl.Series("h", self._p.digests(namespace, text.to_list()), dtype=pl.String)
            self._remember(namespace, pl.DataFrame({"k": text, "h": digests}).drop_nulls())
            return digests.alias(values.name)
        seen = self._seen(namespace)
        if seen is not None:
            distinct = distinct.to_frame("k").join(seen, on="k", how="anti").get_column("k")
        fresh = pl.DataFrame(
            {"k": distinct, "h": pl.Series(self._p.digests(namespace, distinct.to_list()))},
            schema={"k": pl.String, "h": pl.String},
        )
        self._remember(namespace, fresh)
        lookup = self._seen(namespace)
        assert lookup is not None
        joined = text.to_frame("k").join(lookup, on="k", how="left", maintain_order="left")
        return joined.get_column("h").alias(values.name)

    def pseudonymise(self, frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
        """Replace every ``id`` field of ``schema`` that names a namespace with its hash."""
        hashed = [
            self.hash(frame.get_column(f.target), f.namespace)
            for f in schema.fields
            if f.type == "id" and f.namespace is not None and f.target in frame.columns
        ]
        return frame.with_columns(hashed) if hashed else frame


def hash_series(p: Pseudonymiser, values: pl.Series, namespace: str) -> pl.Series:
    """One-off :meth:`Hasher.hash_in`: the same digests as :meth:`Pseudonymiser.series`."""
    return Hasher(p, "").hash_in(values, namespace)


def pseudonymise(
    frame: pl.DataFrame, schema: Schema, p: Pseudonymiser, la_code: str
) -> pl.DataFrame:
    """Replace every ``id`` field that names a namespace with its hash (one-off)."""
    return Hasher(p, la_code).pseudonymise(frame, schema)
