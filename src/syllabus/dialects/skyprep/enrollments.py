"""SkyPrep enrollment actions: users and groups into courses, in bulk, and a user's courses."""

from __future__ import annotations
