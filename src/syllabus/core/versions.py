"""Lost-update protection, once for every door: the version a client last saw, checked by the
service under the row lock its write takes.

A resource's version is a tuple of row versions (``domain.base.Versioned``): one for a resource
shown from one row, several for one shown from several rows (each such service says which).
Every door renders its ETags from it and parses ``If-Match`` back into an ``Expected``.
"""

from __future__ import annotations

from dataclasses import dataclass

from syllabus.core.errors import PreconditionFailed

Version = tuple[int, ...]


@dataclass(frozen=True)
class Expected:
    """The versions a precondition accepts (an ``If-Match`` may name several); the write goes
    ahead only when the resource's current version is one of them. No precondition at all
    (``If-Match`` absent or ``*``) is ``None`` where an ``Expected`` is taken."""

    versions: frozenset[Version]

    @classmethod
    def of(cls, *versions: Version | int) -> Expected:
        return cls(frozenset(v if isinstance(v, tuple) else (v,) for v in versions))


def check_version(expected: Expected | None, current: Version) -> None:
    """Raise ``PreconditionFailed`` unless ``current`` is what the caller expected; call it
    after the write's row lock is taken, so no other writer slips in between."""
    if expected is not None and current not in expected.versions:
        raise PreconditionFailed(
            "the resource has changed", field="version", current=".".join(map(str, current))
        )


def with_part(row_version: int, part_id: int | None, part_version: int | None) -> Version:
    """A resource shown from its own row and one optional other row (an enrollment and its
    progress record, a lesson and the user's progress on it): the row's version, then the
    other row's id and version (zeros when there is none). Opening, changing or replacing the
    other row moves it too; ids are never reused (AUTOINCREMENT, sequences)."""
    return (row_version, part_id or 0, part_version or 0)
