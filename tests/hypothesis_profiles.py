"""Hypothesis profiles: ``ci`` (small, deterministic, the default) and ``full`` (on demand).

``HYPOTHESIS_PROFILE=full scripts/test`` runs every property with the example counts its test
names; the default ``ci`` profile runs a quarter of them (at least ten), derandomized, so a
run takes the same time and finds the same things every time. tests/conftest.py loads it.
"""

from __future__ import annotations

import os

from hypothesis import settings

PROFILE_ENV = "HYPOTHESIS_PROFILE"
CI, FULL = "ci", "full"
CI_SHARE = 4
CI_MINIMUM = 10

settings.register_profile(CI, max_examples=CI_MINIMUM, derandomize=True, database=None)
settings.register_profile(FULL, max_examples=100)
PROFILE = os.environ.get(PROFILE_ENV, CI)
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """A property's example count under the loaded profile (``full`` on demand)."""
    if PROFILE == CI:
        return min(full, max(CI_MINIMUM, full // CI_SHARE))
    return full
