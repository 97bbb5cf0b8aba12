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

from collections.abc import Collection

import polars as pl

from caseloads.ingest.pseudonymise import Pseudonymiser, local_namespace, swe_namespace
from caseloads.ingest.schema import Schema

SWE = "swe"


def namespace_for(kind: str, la_code: str) -> str:
    return swe_namespace() if kind == SWE else local_namespace(la_code, kind)


class Hasher:
    """Hashes the identifiers of one extract, remembering each namespace's digests, so that an id
    referenced by several tables (a person, a referral) is hashed only once per read.

    Each namespace keeps a look-up of the distinct values hashed so far and their digests, in
    pieces that never overlap (a piece only ever holds values not yet known), put together only
    when a later column needs them: a record's own ids (contacts, involvements) are usually never
    referenced again. The first column of a namespace, if its values are all distinct, is hashed
    in place, value by value (with repeats, each distinct value once, joined back). A later
    column is joined to the look-up, and only the distinct values it did not find are hashed and
    filled in; so the children of ``ssd_family``, all in ``ssd_person`` already, cost a join
    instead of a hash each."""

    def __init__(self, p: Pseudonymiser, la_code: str) -> None:
        self._p = p
        self._la = la_code
        self._pieces: dict[str, list[pl.DataFrame]] = {}

    def hash(self, values: pl.Series, kind: str, *, clean: bool = False) -> pl.Series:
        """Hash in the namespace of ``kind`` (``person``, ``worker``, ``swe`` ...)."""
        return self.hash_in(values, namespace_for(kind, self._la), clean=clean)

    def _digests(self, namespace: str, values: pl.Series) -> pl.Series:
        return self._p.digest_series(namespace, values).alias("h")

    def _known(self, namespace: str) -> pl.DataFrame | None:
        """The namespace's look-up (``k``, ``h``, one row per distinct value), if any."""
        pieces = self._pieces.get(namespace)
        if not pieces:
            return None
        if len(pieces) > 1:
            pieces[:] = [pl.concat(pieces)]
        return pieces[0]

    def hash_in(self, values: pl.Series, namespace: str, *, clean: bool = False) -> pl.Series:
        """Keyed hash of each value in ``namespace``; blank and null stay null. ``clean``: the
        values are already stripped with blanks as null (a schema's typed ``id`` column), so
        that pass is skipped."""
        if clean:
            text = values.cast(pl.String).rename("k")
        else:
            stripped = pl.col("k").cast(pl.String).str.strip_chars()
            text = (
                values.to_frame("k")
                .select(pl.when(stripped.str.len_bytes() > 0).then(stripped).alias("k"))
                .to_series()
            )
        pieces = self._pieces.setdefault(namespace, [])
        known = self._known(namespace)
        if known is None:
            distinct = text.drop_nulls().unique()
            if distinct.len() == text.len() - text.null_count():
                digests = self._digests(namespace, text)
                pieces.append(pl.DataFrame({"k": text, "h": digests}).drop_nulls())
                return digests.alias(values.name)
            fresh = distinct.to_frame("k").with_columns(self._digests(namespace, distinct))
            pieces.append(fresh)
            return look_up(text, fresh).alias(values.name)
        # Most values are usually known already: look every row up, then hash only the distinct
        # values that were not found and fill those rows in.
        digests = look_up(text, known)
        missing = (digests.is_null() & text.is_not_null()).arg_true()
        if missing.len():
            unknown = text.gather(missing)
            fresh_keys = unknown.unique()
            fresh = fresh_keys.to_frame("k").with_columns(self._digests(namespace, fresh_keys))
            pieces.append(fresh)
            digests = digests.scatter(missing, look_up(unknown, fresh))
        return digests.alias(values.name)

    def pseudonymise(
        self, frame: pl.DataFrame, schema: Schema, *, done: Collection[str] = ()
    ) -> pl.DataFrame:
        """Replace every ``id`` field of ``schema`` that names a namespace with its hash (the
        frame is typed by the schema, so its ids are already clean), except the columns
        ``done`` names, which the caller has hashed already."""
        hashed = [
            self.hash(frame.get_column(f.target), f.namespace, clean=True)
            for f in schema.fields
            if f.type == "id"
            and f.namespace is not None
            and f.target in frame.columns
            and f.target not in done
        ]
        return frame.with_columns(hashed) if hashed else frame


def look_up(text: pl.Series, lookup: pl.DataFrame) -> pl.Series:
    """The digest (``lookup``'s ``h``) of each value (``lookup``'s ``k``, one row per value),
    null where it is not in ``lookup``, in ``text``'s order."""
    joined = text.to_frame("k").join(lookup, on="k", how="left", maintain_order="left")
    return joined.get_column("h")


def hash_series(p: Pseudonymiser, values: pl.Series, namespace: str) -> pl.Series:
    """One-off :meth:`Hasher.hash_in`: the same digests as :meth:`Pseudonymiser.series`."""
    return Hasher(p, "").hash_in(values, namespace)


def pseudonymise(
    frame: pl.DataFrame, schema: Schema, p: Pseudonymiser, la_code: str
) -> pl.DataFrame:
    """Replace every ``id`` field that names a namespace with its hash (one-off)."""
    return Hasher(p, la_code).pseudonymise(frame, schema)
