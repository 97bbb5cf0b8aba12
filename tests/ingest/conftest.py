"""Fixtures for the ingest tests."""

from __future__ import annotations

import pytest
from tests.ingest.helpers import P

from caseloads.ingest.pseudonymise import Pseudonymiser


@pytest.fixture
def p() -> Pseudonymiser:
    return P
