"""Hashing identifiers (identifiers.py, pseudonymise.py)."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from tests.ingest.helpers import KEY, P

from caseloads.ingest.identifiers import Hasher, hash_series, namespace_for
from caseloads.ingest.pseudonymise import Pseudonymiser, local_namespace, swe_namespace
from caseloads.ingest.schema import Field, Schema

VALUES = pl.Series("id", ["a1", " a1 ", "", None, "b2", "a1", "  "])


def test_hash_series_gives_the_pseudonymisers_digests() -> None:
    ns = local_namespace("301", "person")
    assert hash_series(P, VALUES, ns).to_list() == P.series(VALUES, ns).to_list()
    assert hash_series(P, VALUES, ns).to_list()[:5] == [
        P.one(ns, "a1"),
        P.one(ns, "a1"),
        None,
        None,
        P.one(ns, "b2"),
    ]


def test_many_is_one_repeated() -> None:
    values = ["x", " y ", "SW1234567890", "é"]
    assert P.many("ns|1", values) == [P.one("ns|1", v) for v in values]


@given(st.lists(st.none() | st.text(max_size=20), max_size=30))
def test_digest_series_is_one_per_value_with_nulls_kept(values: list[str | None]) -> None:
    # Values arrive stripped (Hasher strips them), so strip here too: one() strips its input.
    stripped = [None if v is None else v.strip() for v in values]
    got = P.digest_series("person|301", pl.Series("id", stripped, dtype=pl.String))
    assert got.name == "id" and got.dtype == pl.String
    assert got.to_list() == [None if v is None else P.one("person|301", v) for v in stripped]


def test_a_hasher_reuses_digests_within_a_namespace_only() -> None:
    hasher = Hasher(P, "301")
    first = hasher.hash(pl.Series(["c1", "c2"]), "person")
    again = hasher.hash(pl.Series(["c2", "c3", "c1"]), "person")
    other = hasher.hash(pl.Series(["c1"]), "referral")
    assert again.to_list() == [first[1], P.one("person|301", "c3"), first[0]]
    assert other[0] != first[0]


class CountingPseudonymiser(Pseudonymiser):
    """Counts the values it hashes."""

    hashed = 0

    def digest_series(self, namespace: str, values: pl.Series) -> pl.Series:
        self.hashed += values.len() - values.null_count()
        return super().digest_series(namespace, values)


def test_a_value_is_hashed_once_even_when_a_later_column_holds_it_once_each() -> None:
    """ssd_family's children are all in ssd_person: both columns are all-distinct, and the
    second must be joined to the first's digests, not hashed again."""
    counting = CountingPseudonymiser(KEY)
    hasher = Hasher(counting, "301")
    people = hasher.hash(pl.Series(["c1", "c2", "c3"]), "person", clean=True)
    family = hasher.hash(pl.Series(["c3", "c1", None]), "person", clean=True)
    assert counting.hashed == 3
    assert family.to_list() == [people[2], people[0], None]
    hasher.hash(pl.Series(["c4", "c2"]), "person", clean=True)  # only c4 is new
    assert counting.hashed == 4
    assert hasher.hash(pl.Series(["c4"]), "person").to_list() == [P.one("person|301", "c4")]


def test_clean_values_hash_as_they_would_uncleaned() -> None:
    values = pl.Series("id", ["a", None, "b", "a"])
    clean = Hasher(P, "301").hash(values, "person", clean=True)
    assert clean.to_list() == Hasher(P, "301").hash(values, "person").to_list()
    assert clean.name == "id"


def test_namespaces() -> None:
    assert namespace_for("swe", "301") == swe_namespace()
    assert namespace_for("worker", "301") == local_namespace("301", "worker")


def test_pseudonymise_hashes_only_namespaced_ids() -> None:
    schema = Schema(
        (
            Field("a", "a", "id", namespace="person"),
            Field("b", "b", "id"),
            Field("c", "c"),
        )
    )
    frame = pl.DataFrame({"a": ["x"], "b": ["y"], "c": ["z"]})
    out = Hasher(P, "301").pseudonymise(frame, schema)
    assert out.row(0) == (P.one("person|301", "x"), "y", "z")


ids = st.lists(st.one_of(st.none(), st.sampled_from(["", " ", "a", " a", "b", "c ", "d"])))


@given(st.lists(ids, min_size=1, max_size=4))
def test_a_hasher_always_gives_the_pseudonymisers_digests(columns: list[list[str | None]]) -> None:
    """Whatever mix of all-distinct columns (hashed in place) and columns with repeats (hashed
    once per distinct value, joined back) one extract holds, each digest is P.one's."""
    hasher = Hasher(P, "301")
    for column in columns:
        series = pl.Series("id", column, dtype=pl.String)
        assert hasher.hash(series, "person").to_list() == P.series(series, "person|301").to_list()
