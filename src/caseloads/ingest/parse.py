"""Vectorised readers of text values: Polars expressions from a String column to a typed one.

Each parser returns null where the text cannot be read, so that a value which is present but
null after parsing is exactly a type error (:mod:`caseloads.ingest.schema` reports it).

- **Blank.** Surrounding white space is dropped; an empty value, or the text ``NULL`` that SQL
  Server exports of the SSD write for a missing value, is null.
- **Dates.** ``YYYY-MM-DD``; an ISO date-time (``YYYY-MM-DD HH:MM[:SS[.fff]]``, ``T`` or space,
  optional ``Z``/offset: the date part is kept); and ``DD/MM/YYYY`` (UK order, as Excel writes UK
  dates; an optional time is ignored). Two-digit years are refused as ambiguous.
- **Numbers.** Decimal text (``0.5``, ``.5``, ``1e3``); ``nan`` and ``inf`` are refused. Whole
  numbers accept ``3`` and ``3.0`` but not ``3.5``.
- **Flags.** ``Y/N``, ``yes/no``, ``true/false``, ``t/f``, ``1/0`` in any case. ``U``, ``unknown``
  and ``not known`` (found in SSD ``nchar`` flags) are read as null, not as an error.
- **SWE numbers.** Spaces removed, upper case (``sw 1234567890`` is ``SW1234567890``), so that
  one registration links across the SSD, the staff extract and the CSWW return.
- **Shapes.** A finding about an identifier shows only its shape (letters as ``A``/``a``, digits
  as ``9``): warnings are stored with the batch, and raw identifiers must not be (design.md §8).
- **Sex.** The returns code sex differently: CIN census ``GenderCurrent`` and SSDA903 ``SEX`` as
  1 male, 2 female, 0 not known, 9 not specified; CIN census ``Sex`` (2024 on) and the SSD's
  ``pers_sex`` as M, F, U (the SSD also I, indeterminate). All are stored as ``M``, ``F``, ``U``
  or ``I`` so that one child's records agree whichever extract they came from.
- **Codes.** Compared case-insensitively with spaces and hyphens read as ``_`` (so ``Fixed Term``
  is ``fixed_term``), and stored in the specification's spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import polars as pl

NULL_TEXTS = ("", "NULL", "null", "Null")
ISO_DATE = "%Y-%m-%d"
_ISO_DATETIME = (
    r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_UK_DATE = r"^(\d{1,2}/\d{1,2}/\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?$"
_FLAGS: dict[str, bool] = {
    "y": True,
    "yes": True,
    "true": True,
    "t": True,
    "1": True,
    "n": False,
    "no": False,
    "false": False,
    "f": False,
    "0": False,
}
_UNKNOWN_FLAGS = ("u", "unknown", "not known", "not_known")
_CODE_SPACES = r"[\s\-]+"


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Strip white space; blank and ``NULL`` become null."""
    text = expr.str.strip_chars()
    return pl.when(text.is_in(NULL_TEXTS)).then(None).otherwise(text)


def date_fast(text: pl.Expr) -> pl.Expr:
    """The common case, ``YYYY-MM-DD``; enough for most files, and cheap."""
    return text.str.to_date(ISO_DATE, strict=False)


def date_full(text: pl.Expr) -> pl.Expr:
    """Every accepted date form (used for the columns where :func:`date_fast` left gaps)."""
    return pl.coalesce(
        date_fast(text),
        text.str.extract(_ISO_DATETIME, 1).str.to_date(ISO_DATE, strict=False),
        text.str.extract(_UK_DATE, 1).str.to_date("%d/%m/%Y", strict=False),
    )


def number(text: pl.Expr) -> pl.Expr:
    value = text.cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def integer(text: pl.Expr) -> pl.Expr:
    value = number(text)
    whole = (value == value.round(0)) & (value.abs() < 2.0**53)
    return pl.when(whole).then(value).cast(pl.Int64)


def flag(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().replace_strict(_FLAGS, default=None, return_dtype=pl.Boolean)


def unknown_flag(text: pl.Expr) -> pl.Expr:
    """True where the text says "unknown" (read as null without complaint)."""
    return text.str.to_lowercase().is_in(_UNKNOWN_FLAGS)


def code_key(value: str) -> str:
    return re.sub(_CODE_SPACES, "_", value.strip().lower())


def code_map(values: Iterable[str], aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """Accepted spellings (normalised) -> stored value, for a list of codes."""
    mapping = {code_key(v): v for v in values}
    for alias, value in (aliases or {}).items():
        mapping[code_key(alias)] = value
    return mapping


def code(text: pl.Expr, codes: Mapping[str, str]) -> pl.Expr:
    key = text.str.to_lowercase().str.replace_all(_CODE_SPACES, "_")
    return key.replace_strict(dict(codes), default=None, return_dtype=pl.String)


def slug(text: pl.Expr, max_length: int) -> pl.Expr:
    """Lower case, runs of anything but letters and digits as ``_``, no ``_`` at either end."""
    value = (
        text.str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", "_")
        .str.strip_chars("_")
        .str.slice(0, max_length)
        .str.strip_chars("_")
    )
    return pl.when(value.str.len_bytes() > 0).then(value)


def swe(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all(r"\s+", "").str.to_uppercase()


def shape(expr: pl.Expr) -> pl.Expr:
    """``SW12345`` -> ``AA99999``: enough to see what is wrong, not enough to identify anyone."""
    return (
        expr.cast(pl.String)
        .str.replace_all(r"[A-Z]", "A")
        .str.replace_all(r"[a-z]", "a")
        .str.replace_all(r"[0-9]", "9")
    )


SEX_CODES: Mapping[str, str] = {
    "1": "M",
    "2": "F",
    "0": "U",
    "9": "U",
    "M": "M",
    "F": "F",
    "U": "U",
    "I": "I",
    "MALE": "M",
    "FEMALE": "F",
}


def sex(expr: pl.Expr) -> pl.Expr:
    """One spelling of sex for every source (see the module docstring); anything else is kept as
    given, upper-cased."""
    text = expr.str.strip_chars().str.to_uppercase()
    return text.replace(SEX_CODES)
