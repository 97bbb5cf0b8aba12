"""The rule catalogue (rules.py) lists exactly the rules the readers use."""

from __future__ import annotations

import re
from pathlib import Path

from caseloads.ingest import rules
from caseloads.ingest.rules import RULES

SOURCE = Path(rules.__file__).parent
# A rule id in a findings call: findings.error("id", ...), .warning("id", ...) or rule="id".
CALL = re.compile(r'(?:\.error\(|\.warning\(|rule=)\s*"([a-z_.]+)"')


LITERAL = re.compile(r'"([a-z_.]+)"')


def sources() -> list[str]:
    return [p.read_text() for p in SOURCE.glob("*.py") if p.name != "rules.py"]


def test_every_rule_reported_is_catalogued() -> None:
    used = {rule for text in sources() for rule in CALL.findall(text)}
    assert used
    assert used - set(RULES) == set()


def test_every_catalogued_rule_is_used() -> None:
    # Schema and check rules are passed around as plain strings (schema.py, checks.py).
    literals = {word for text in sources() for word in LITERAL.findall(text)}
    assert set(RULES) - literals == set()


def test_each_rule_says_what_it_is_and_where_it_comes_from() -> None:
    for rule in RULES.values():
        assert rule.summary and rule.source
        assert set(rule.severities) <= {"error", "warning"} and rule.severities
