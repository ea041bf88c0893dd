"""SkyPrep course actions: list, read, create, update and destroy courses."""

from __future__ import annotations
