"""Request guards every API surface shares: honest rate limits and idempotency keys.

Surface-neutral: a dialect wires them in with its own way of naming the caller and its own
error bodies. ``rate_limiting`` and ``idempotency`` are the pieces (used inline by the SkyPrep
dialect); ``middleware.ApiGuard`` wraps a whole REST surface (``/v1``, ``/scim/v2``) in both.
"""
