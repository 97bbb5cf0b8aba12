"""caseloads/__init__.py: Polars' allocator keeps freed pages for 10 s unless the user said
otherwise (the measurement is in benchmarks/README.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import caseloads

SHOW = (
    "import caseloads, os, polars; print(os.environ['_RJEM_MALLOC_CONF']);"
    "polars.DataFrame({'a': [1]})"
)


def _conf(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_decay_setting_is_added_after_polars_own_defaults() -> None:
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    conf = _conf(env)
    # Polars puts its defaults first and what it found in the environment after them; jemalloc
    # takes the last value of each option, so ours is the one in force.
    assert conf.endswith("," + caseloads.ALLOCATOR_SETTINGS)


def test_a_setting_the_user_made_is_left_alone() -> None:
    env = {**os.environ, "_RJEM_MALLOC_CONF": "dirty_decay_ms:0"}
    assert _conf(env).endswith(",dirty_decay_ms:0")
    assert caseloads.ALLOCATOR_SETTINGS not in _conf(env)
