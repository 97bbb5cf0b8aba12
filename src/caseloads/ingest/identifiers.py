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

    Each namespace keeps one look-up of distinct values and their digests, which only grows by
    values not seen before (so it is never de-duplicated again). A column whose values are all
    distinct (a record's own id) is hashed in place, value by value, with no look-up. A column
    with repeats (the child on each involvement) takes its distinct values, finds those already
    in the look-up (a semi-join that probes the look-up against the column's own values, so its
    cost does not grow with the look-up's), hashes the rest, and joins the digests of just those
    distinct values back onto its rows."""

    def __init__(self, p: Pseudonymiser, la_code: str) -> None:
        self._p = p
        self._la = la_code
        self._known: dict[str, pl.DataFrame] = {}

    def hash(self, values: pl.Series, kind: str) -> pl.Series:
        """Hash in the namespace of ``kind`` (``person``, ``worker``, ``swe`` ...)."""
        return self.hash_in(values, namespace_for(kind, self._la))

    def _digests(self, namespace: str, values: pl.Series) -> pl.Series:
        return self._p.digest_series(namespace, values).alias("h")

    def _learn(self, namespace: str, fresh: pl.DataFrame) -> None:
        """Add ``k, h`` rows whose ``k`` is not yet known in ``namespace``."""
        known = self._known.get(namespace)
        self._known[namespace] = fresh if known is None else pl.concat([known, fresh])

    def hash_in(self, values: pl.Series, namespace: str) -> pl.Series:
        """Keyed hash of each value in ``namespace``; blank and null stay null."""
        stripped = pl.col("k").cast(pl.String).str.strip_chars()
        text = (
            values.to_frame("k")
            .select(pl.when(stripped.str.len_bytes() > 0).then(stripped).alias("k"))
            .to_series()
        )
        known = self._known.get(namespace)
        distinct = text.drop_nulls().unique()
        if distinct.len() == text.len() - text.null_count():
            digests = self._digests(namespace, text)
            rows = pl.DataFrame({"k": text, "h": digests}).drop_nulls()
            if known is not None:
                rows = rows.join(known, on="k", how="anti")
            self._learn(namespace, rows)
            return digests.alias(values.name)
        wanted = distinct.to_frame("k")
        hits = None if known is None else known.join(wanted, on="k", how="semi")
        fresh = wanted if hits is None else wanted.join(hits, on="k", how="anti")
        fresh = fresh.with_columns(self._digests(namespace, fresh.get_column("k")))
        self._learn(namespace, fresh)
        lookup = fresh if hits is None else pl.concat([hits, fresh])
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
