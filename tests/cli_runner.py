"""Run ``syllabus`` commands the way the CLI tests do: in-process by default, a real process
for the smoke test each command group keeps (``@pytest.mark.cli_subprocess``).

Either way the answer is a ``CompletedProcess`` (return code, stdout, stderr), so a test reads
the same whichever way its commands ran. In-process, the command sees the environment it
would have seen as a process, and rich's consoles the width a process without a terminal gets.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from typer.testing import CliRunner

from syllabus.cli import app, common

SYLLABUS = [sys.executable, "-m", "syllabus"]
DEFAULT_COLUMNS = 80
"""What rich assumes when neither a terminal nor ``COLUMNS`` says otherwise."""

in_subprocess: ContextVar[bool] = ContextVar("in_subprocess", default=False)
"""Set for a test marked ``cli_subprocess`` (by the autouse fixture in tests/conftest.py)."""


def run(
    args: list[str],
    env: Mapping[str, str],
    *,
    check: bool = True,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``syllabus *args`` with ``env`` as its whole environment."""
    if in_subprocess.get():
        return subprocess.run(
            [*SYLLABUS, *args],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
            input=input,
        )
    with _environment(env), _console_width(env):
        result = CliRunner().invoke(app, args, input=input, catch_exceptions=True)
    code = result.exit_code
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # What the interpreter would have printed for an uncaught exception.
        stderr += "".join(traceback.format_exception(result.exception))
    done = subprocess.CompletedProcess(["syllabus", *args], code, result.stdout, stderr)
    if check:
        done.check_returncode()
    return done


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` replaced by ``env`` (a process would have seen exactly that)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _console_width(env: Mapping[str, str]) -> Iterator[None]:
    columns = env.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() else DEFAULT_COLUMNS
    consoles = (common.out, common.err)
    saved = [console._width for console in consoles]
    for console in consoles:
        console.width = width
    try:
        yield
    finally:
        for console, previous in zip(consoles, saved, strict=True):
            console._width = previous
