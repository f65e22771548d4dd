"""The import graph (read with ``ast``, nothing imported) keeps the layout's rules:

- no cycle between medrag_core's packages (``medrag_core.store``, ``medrag_core.workflow``, ...; the
  top-level modules ``settings``, ``errors``, ``models``, ``services``, ... count as packages);
- no package imports another package's ``_``-prefixed names or modules;
- medrag_core's packages import each other through their faces (``medrag_core.X``), and so do
  ``pages/``, ``ui/``, ``api/``, ``etl/`` and ``bench/`` for medrag_core and etl: a face is a package's
  ``__init__`` or one of medrag_core's top-level modules, never a submodule such as
  ``medrag_core.store.pg_sql`` (also not when imported as a name: ``from medrag_core.store import pg_sql``);
- no re-export shims: only a face re-exports. A module that is nothing but imports, or that lists in
  ``__all__`` a name it imports, hands out a name from somewhere else; callers import it from its own
  package face instead.

Every import counts: module level, inside functions (lazy) and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCANNED = ("medrag_core", "ui", "pages", "api", "etl", "bench")
LIBRARIES = ("medrag_core", "etl")  # imported by others only through faces


@dataclass(frozen=True)
class Import:
    importer: str  # module name, e.g. "medrag_core.store.postgres"
    target: str  # the module imported from, e.g. "medrag_core.store.base"
    name: str | None  # the name in ``from target import name``; None for ``import target``
    where: str  # "path:line" for messages


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[Import]:
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, None, where) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found += [Import(module, target, alias.name, where) for alias in node.names]
    return found


def all_imports(root: Path = REPO) -> list[Import]:
    return [imp for top in SCANNED for path in sorted((root / top).rglob("*.py")) for imp in imports_of(path)]


def is_package(module: str) -> bool:
    return (REPO / Path(*module.split(".")) / "__init__.py").is_file()


def is_module(module: str) -> bool:
    return is_package(module) or (REPO / Path(*module.split("."))).with_suffix(".py").is_file()


def unit(module: str) -> str:
    """The package (or top-level module) of medrag_core a module belongs to; the top-level name otherwise."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "medrag_core" and len(parts) > 1 else parts[0]


def face_names(package: str) -> set[str]:
    """The names a package's ``__init__`` binds at module level (its imports, definitions, assignments)."""
    tree = ast.parse((REPO / Path(*package.split(".")) / "__init__.py").read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def resolved(imp: Import) -> str:
    """The module an import really loads: ``from medrag_core import store`` loads medrag_core.store, while
    ``from medrag_core.workflow import verify`` is the face's function, not the submodule of that name."""
    if imp.name and is_module(f"{imp.target}.{imp.name}"):
        if not (is_package(imp.target) and imp.name in face_names(imp.target)):
            return f"{imp.target}.{imp.name}"
    return imp.target


def is_face(module: str) -> bool:
    return is_package(module) or (module.startswith("medrag_core.") and module.count(".") == 1)


def package_graph(imports: list[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in imports:
        source, target = unit(imp.importer), unit(resolved(imp))
        if source.startswith("medrag_core.") and target.startswith("medrag_core.") and source != target:
            graph[source].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def private_imports(imports: list[Import]) -> list[str]:
    bad = []
    for imp in imports:
        if unit(imp.importer) == unit(resolved(imp)) or not imp.target.startswith(SCANNED):
            continue
        names = imp.target.split(".") + ([imp.name] if imp.name else [])
        if any(n.startswith("_") and not (n.startswith("__") and n.endswith("__")) for n in names):
            bad.append(f"{imp.where}: {imp.importer} imports {imp.target}{'.' + imp.name if imp.name else ''}")
    return bad


def non_face_imports(imports: list[Import]) -> list[str]:
    bad = []
    for imp in imports:
        target = resolved(imp)
        if not target.startswith(LIBRARIES) or unit(imp.importer) == unit(target):
            continue
        if not is_face(target):
            bad.append(f"{imp.where}: {imp.importer} imports {target}, not a package face")
    return bad


# Re-exports in non-face modules that predate the rule, left to their packages' owners. Remove an entry
# when its module stops re-exporting; do not add one.
KNOWN_REEXPORTS = {
    "medrag_core.store.postgres": {"IngestProgress"},
    "medrag_core.store.supabase": {"create_client", "parse_bytea", "parse_vector", "to_bytea"},
}


def _is_all(node: ast.stmt) -> bool:
    return isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)


def reexports(source: str) -> list[str]:
    """What a non-face module re-exports: the names its ``__all__`` lists that it imports, and ``"*"``
    when it is nothing but imports (a shim; its docstring and ``__all__`` aside)."""
    body = [n for n in ast.parse(source).body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    imported = {
        (a.asname or a.name).split(".")[0]
        for n in body if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names
    }  # fmt: skip
    exported = [
        e.value for n in body if _is_all(n) for e in getattr(n.value, "elts", []) if isinstance(e, ast.Constant)
    ]  # fmt: skip
    shim = bool(imported) and all(isinstance(n, (ast.Import, ast.ImportFrom)) or _is_all(n) for n in body)
    return (["*"] if shim else []) + [name for name in exported if name in imported]


def test_no_reexport_shims_outside_faces() -> None:
    found = []
    for top in SCANNED:
        for path in sorted((REPO / top).rglob("*.py")):
            module = module_name(path)
            if path.name != "__init__.py":
                names = set(reexports(path.read_text(encoding="utf-8"))) - KNOWN_REEXPORTS.get(module, set())
                found += [f"{path.relative_to(REPO)} re-exports {name}" for name in sorted(names)]
    assert found == [], "import these from their own package face; a shim module goes away"


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('"""Doc."""\nfrom medrag_core.workflow import search_image\n\n__all__ = ["search_image"]\n', 2),
        ("from medrag_core.workflow.stages import NOTICE_OFFLINE\n", 1),
        ("from a import b\n__all__ = ['f']\n\ndef f() -> None:\n    b()\n", 0),
        ("from a import b\n__all__ = ['b', 'f']\n\ndef f() -> None:\n    pass\n", 1),
        ("import time\n\n_clock = time.monotonic\n", 0),
    ],
)
def test_reexports_are_seen(source: str, flagged: int) -> None:
    assert len(reexports(source)) == flagged


def test_the_scan_sees_the_code() -> None:
    imports = all_imports()
    assert len({i.importer for i in imports}) > 80
    assert Import("medrag_core.store.postgres", "medrag_core.store.base", "CaseStore", "") in {
        Import(i.importer, i.target, i.name, "") for i in imports
    }


def test_no_cycle_between_medrag_core_packages() -> None:
    graph = package_graph(all_imports())
    assert "medrag_core.store" in graph["medrag_core.workflow"] | graph["medrag_core.services"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_no_package_imports_another_packages_private_names() -> None:
    assert private_imports(all_imports()) == []


def test_packages_and_apps_import_only_package_faces() -> None:
    assert non_face_imports(all_imports()) == []


# -- the checks themselves catch what they are for -------------------------------------------------


def test_a_cycle_is_found() -> None:
    graph = {"medrag_core.a": {"medrag_core.b"}, "medrag_core.b": {"medrag_core.c"}, "medrag_core.c": {"medrag_core.a"}}
    assert find_cycle(graph) == ["medrag_core.a", "medrag_core.b", "medrag_core.c", "medrag_core.a"]
    assert find_cycle({"medrag_core.a": {"medrag_core.b"}}) is None


@pytest.mark.parametrize(
    ("importer", "target", "name", "kind"),
    [
        ("ui.cases", "medrag_core.store.pg_sql", "knn_sql", "face"),  # a submodule
        ("bench.retrieval", "medrag_core.store", "pg_sql", "face"),  # a submodule, as a name
        ("ui.admin_views", "etl.pipeline", "run_ingest", "face"),  # etl's submodule
        ("medrag_core.workflow.verify", "medrag_core.workflow.stages", "_embed_image", None),  # own package
        ("medrag_core.retrieval.hybrid", "medrag_core.store.base", "CaseStore", "face"),  # another package
        ("api.app", "medrag_core.workflow", "_Stages", "private"),
        ("medrag_core.workflow.verify", "medrag_core.store", "_LAZY", "private"),
        ("pages.browse", "medrag_core.store", "CaseFilter", None),
        ("pages.browse", "medrag_core.settings", "Settings", None),
        ("bench.embed", "etl.sources", "SourceItem", None),  # a subpackage's face
    ],
)
def test_the_rules_flag_what_they_should(importer: str, target: str, name: str, kind: str | None) -> None:
    imp = [Import(importer, target, name, "x.py:1")]
    assert bool(non_face_imports(imp)) == (kind == "face")
    assert bool(private_imports(imp)) == (kind == "private")
