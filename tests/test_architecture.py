"""The adapters (dialects, web pages, CLI, worker) make at most one service write per function.

A use case that needs two writes is a composite service, so the rule lives where every door
reaches it (design.md, rule 1). This test reads the source, so a handler that assembles a use case
from two writes fails here with its name and the calls, before a second door copies it.

What a *service write* is, in one place: a call, resolved through the calling module's imports,
to a public function (no leading underscore) defined in a module under ``syllabus.services``,
except the functions named in ``NOT_WRITES`` below, each with the reason it is not a write. A call
to a function of the same module (or ``self.method`` of the same class) counts the writes that
function makes, so a handler cannot hide its second write in a local helper. Constructing a
class (a service input or result) is not a write. Call sites are counted, not executions: two
writes in two branches are two, so such a handler is written with one call site.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType

import syllabus

SRC = Path(syllabus.__file__).parent
ADAPTERS = ("dialects", "web", "cli", "delivery", "pipeline")
"""The packages whose functions are adapters: each request, command or job is one use case."""

NOT_WRITES: dict[str, str] = {
    "syllabus.services.locking.lock_rows": "takes row locks for the caller's transaction",
    "syllabus.services.locking.require_locked": "a read that locks the row it returns",
    "syllabus.services.materials.material_store": "opens the file store, writes no row",
    "syllabus.services.item_progress.course_progress_for": "a read of computed progress",
    "syllabus.services.credentials.list_credentials": "a read of a program's keys",
    "syllabus.services.payments.stripe_webhook_secret": "a read of a program's secret",
    "syllabus.services.rate_limits.program_rate_limit": "a read of a program's limit",
    "syllabus.services.provisioning.provisioning_settings": "a read of a program's settings",
    "syllabus.services.provisioning.is_scim_deleted": "a read of a user's SCIM state",
    "syllabus.services.progress.find_course_progress": "a read of one progress record",
    "syllabus.services.gamification.gamification_balance": "a read of a user's points",
    "syllabus.services.ilt_registrations.clean_status": "parses a status, touches no row",
    "syllabus.services.materials.download_expiry": "computes a link's expiry",
    "syllabus.services.materials.sign_download": "signs a link, touches no row",
    "syllabus.services.materials.material_for_link": "a read of the material a link names",
    "syllabus.services.power_users.list_datasets": "a read",
    "syllabus.services.power_users.list_power_users": "a read",
    "syllabus.services.power_users.list_user_roles": "a read",
    "syllabus.services.webhook_targets.ip_literal": "parses an address",
    "syllabus.services.webhook_targets.vet_addresses": "checks addresses, touches no row",
    "syllabus.services.webhooks.get_webhook": "a read of one webhook",
    # How a resource read from several rows is versioned (its ETag): arithmetic, no row.
    "syllabus.services.domain_users.domain_user_version": "composes an ETag's version",
    "syllabus.services.domain_enrollments.enrollment_version": "composes an ETag's version",
    "syllabus.services.lesson_progress.lesson_version": "composes an ETag's version",
    "syllabus.services.manager_access.manager_access_version": "composes an ETag's version",
}
"""Public functions of services that write nothing, with the reason; every other is a write."""

NOT_ADAPTERS: dict[str, str] = {
    "syllabus.cli.demo": (
        "the demo scripts a whole sample program through the services, as a client would: "
        "it is sample data, not a use case"
    ),
}
"""Adapter modules (and packages) this rule does not apply to, with the reason."""


def is_write(qualified: str, obj: object) -> bool:
    """Whether calling ``obj`` (named ``qualified``) is a service write."""
    if not isinstance(obj, FunctionType):
        return False
    module, name = obj.__module__, obj.__name__
    in_services = module == "syllabus.services" or module.startswith("syllabus.services.")
    return in_services and not name.startswith("_") and qualified not in NOT_WRITES


@dataclass
class Scope:
    """A function of an adapter module: the writes it calls, and the local functions it calls."""

    name: str
    line: int
    writes: list[str] = field(default_factory=list)
    local_calls: list[str] = field(default_factory=list)


def adapter_modules() -> Iterator[tuple[str, Path]]:
    for package in ADAPTERS:
        for path in sorted((SRC / package).rglob("*.py")):
            parts = path.relative_to(SRC.parent).with_suffix("").parts
            name = ".".join(p for p in parts if p != "__init__")
            yield name, path


def _resolve(dotted: str) -> tuple[str, object] | None:
    """``dotted`` (``pkg.mod.func`` or ``pkg.mod``) as an object, or None when it is not one."""
    try:
        return dotted, importlib.import_module(dotted)
    except ImportError:
        pass
    owner, _, attr = dotted.rpartition(".")
    if not owner:
        return None
    found = _resolve(owner)
    if found is None or not hasattr(found[1], attr):
        return None
    obj = getattr(found[1], attr)
    if inspect.isfunction(obj):
        return f"{obj.__module__}.{obj.__name__}", obj
    return dotted, obj


class _Imports(ast.NodeVisitor):
    """Names bound by the module's imports (at any depth) to the dotted path they name."""

    def __init__(self, module_name: str) -> None:
        self.module_name = module_name
        self.names: dict[str, str] = {}

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.names[alias.asname] = alias.name
            else:
                self.names[alias.name.split(".")[0]] = alias.name.split(".")[0]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            package = self.module_name.rsplit(".", node.level)[0]
            base = f"{package}.{base}" if base else package
        for alias in node.names:
            self.names[alias.asname or alias.name] = f"{base}.{alias.name}"


def _dotted(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def scopes_of(module_name: str, path: Path) -> dict[str, Scope]:
    tree = ast.parse(path.read_text(), filename=str(path))
    imports = _Imports(module_name)
    imports.visit(tree)
    top_level = {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    scopes: dict[str, Scope] = {}

    def walk(
        fn: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, owner: str | None = None
    ) -> None:
        scope = scopes.setdefault(qualname, Scope(qualname, fn.lineno))
        todo: list[ast.AST] = list(fn.body)
        while todo:
            node = todo.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                walk(node, f"{qualname}.{node.name}", owner)  # a nested function: its own scope
                continue
            if isinstance(node, ast.ClassDef):
                continue
            todo.extend(ast.iter_child_nodes(node))
            if not isinstance(node, ast.Call):
                continue
            parts = _dotted(node.func)
            if parts is None:
                continue
            if len(parts) == 1 and parts[0] in top_level and parts[0] not in imports.names:
                scope.local_calls.append(parts[0])
                continue
            if owner is not None and len(parts) == 2 and parts[0] == "self":
                scope.local_calls.append(f"{owner}.{parts[1]}")  # a method of the same class
                continue
            if parts[0] not in imports.names:
                continue
            found = _resolve(".".join([imports.names[parts[0]], *parts[1:]]))
            if found is not None and is_write(*found):
                scope.writes.append(found[0])

    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            walk(node, node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    walk(item, f"{node.name}.{item.name}", node.name)
    return scopes


def writes_of(scopes: dict[str, Scope], name: str, seen: frozenset[str] = frozenset()) -> list[str]:
    """The writes ``name`` makes, its own and those of the module's functions it calls."""
    scope = scopes[name]
    writes = list(scope.writes)
    for local in scope.local_calls:
        if local in scopes and local not in seen:
            writes += writes_of(scopes, local, seen | {name})
    return writes


def offenders() -> list[str]:
    found: list[str] = []
    for module_name, path in adapter_modules():
        if any(module_name == m or module_name.startswith(f"{m}.") for m in NOT_ADAPTERS):
            continue
        scopes = scopes_of(module_name, path)
        for name, scope in scopes.items():
            writes = writes_of(scopes, name)
            if len(writes) > 1:
                where = f"{path.relative_to(SRC.parent)}:{scope.line}"
                found.append(f"{module_name}.{name} ({where}) calls {', '.join(sorted(writes))}")
    return found


def test_every_adapter_function_makes_at_most_one_service_write() -> None:
    problems = offenders()
    assert not problems, (
        "these functions make more than one service write (make the use case a composite "
        "service):\n  " + "\n  ".join(problems)
    )


def test_the_not_writes_name_existing_service_functions() -> None:
    """A stale exemption would silently exempt a future write of the same name."""
    for qualified in NOT_WRITES:
        module, _, name = qualified.rpartition(".")
        assert inspect.isfunction(getattr(importlib.import_module(module), name, None)), qualified


def test_the_rule_sees_a_second_write_hidden_in_a_local_helper(tmp_path: Path) -> None:
    source = (
        "from syllabus.services import users as user_service\n"
        "from syllabus.services.users import reactivate_user\n"
        "def handler(session, ctx):\n"
        "    user_service.update_user(session, ctx, user_id=1, changes=None)\n"
        "    _also(session, ctx)\n"
        "def _also(session, ctx):\n"
        "    reactivate_user(session, ctx, user_id=1)\n"
        "def reader(session, ctx):\n"
        "    user_service.update_user(session, ctx, user_id=1, changes=None)\n"
    )
    path = tmp_path / "handler.py"
    path.write_text(source)
    scopes = scopes_of("syllabus.dialects.example", path)
    assert writes_of(scopes, "handler") == [
        "syllabus.services.users.update_user",
        "syllabus.services.users.reactivate_user",
    ]
    assert writes_of(scopes, "reader") == ["syllabus.services.users.update_user"]
