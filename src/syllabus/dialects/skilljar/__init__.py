"""Skilljar REST API v1 at ``/v1``: official routes, the integration guide's aliases, additions."""
