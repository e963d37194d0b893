"""The layout shows the architecture: a pure core, and adapters over it that do not import
each other in a circle. Read from the source files' import statements (every one, at the
top of a module or inside a function)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "tracefacts"
ADAPTERS = {"sphinx", "pdf", "cli", "pytest_plugin"}
# what only an adapter may use: the frameworks the core must know nothing of
FRAMEWORKS = {"sphinx", "docutils", "pytest", "_pytest", "weasyprint", "pypdf", "myst_parser"}


def _module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, known: set[str], root: Path = PACKAGE) -> set[str]:
    """The absolute names a module imports (relative imports resolved against its package);
    ``from pkg import mod`` is an import of the module ``pkg.mod``, not of ``pkg``."""
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                stem = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            for alias in node.names:
                found.add(f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in known else stem)
    return found


def _modules(package: Path = PACKAGE) -> dict[str, set[str]]:
    paths = sorted(package.rglob("*.py"))
    known = {_module_name(p, package) for p in paths}
    return {_module_name(p, package): _imports(p, known, package) for p in paths}


def _cycles(modules: dict[str, set[str]]) -> list[list[str]]:
    graph = {m: sorted(i for i in imported if i in modules and i != m) for m, imported in modules.items()}
    cycles: list[list[str]] = []
    finished: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in graph[node]:
            if nxt in path:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in finished:
                visit(nxt, path + [nxt])
        finished.add(node)

    for module in sorted(graph):
        if module not in finished:
            visit(module, [module])
    return cycles


def _is_adapter(module: str) -> bool:
    return module.split(".")[1] in ADAPTERS if module.count(".") else False


def test_the_core_knows_nothing_of_sphinx_the_cli_pytest_or_the_pdf() -> None:
    modules = _modules()
    core = [m for m in modules if m != "tracefacts" and not _is_adapter(m)]
    assert {"tracefacts.model", "tracefacts.load", "tracefacts.check", "tracefacts.anchor"} <= set(core)
    wrong = {m: sorted(i for i in modules[m]
                       if i.split(".")[0] in FRAMEWORKS
                       or (i.startswith("tracefacts.") and _is_adapter(i)))
             for m in core}
    assert {m: w for m, w in wrong.items() if w} == {}


def test_no_module_of_the_package_imports_itself_back_through_others() -> None:
    assert _cycles(_modules()) == []


def test_the_circle_check_sees_a_circle(tmp_path: Path) -> None:
    package = tmp_path / "tracefacts"
    (package / "sphinx").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sphinx" / "__init__.py").write_text("from . import views\n")
    (package / "sphinx" / "views.py").write_text("def f():\n    from .resolve import g\n")
    (package / "sphinx" / "resolve.py").write_text("from .views import f\n")
    assert _cycles(_modules(package)) == [["tracefacts.sphinx.views", "tracefacts.sphinx.resolve",
                                           "tracefacts.sphinx.views"]]
