"""The kinds of credential a caller presents: every layer names them (the doors pick one, the
keys are stored by it), so they sit in the core, below the tables."""

from __future__ import annotations

import enum


class CredentialKind(enum.StrEnum):
    API_KEY = "api_key"
    """SkyPrep dialect and Skilljar REST v1."""
    SCIM_TOKEN = "scim_token"  # noqa: S105 - a kind name, not a secret
    """SCIM 2.0 bearer tokens only."""
