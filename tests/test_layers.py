"""The package's layers, read from its imports: core ← schema ← render, register ← pipeline ←
interfaces ← cli. render (answers to documents) and register (the folders on disk) stand side by
side and never import each other; pipeline (the use cases) joins them.

A module may import from its own layer and the layers below it, never above or beside, and no two
modules may import each other, even through a function-level import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "charter"
LAYERS = ["core", "schema", "render", "register", "pipeline", "interfaces", "top"]  # top: cli, __main__
RANK = {"core": 0, "schema": 1, "render": 2, "register": 2, "pipeline": 3, "interfaces": 4, "top": 5}
MAX_LINES = 400


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "top" if len(parts) > 1 else "core"


def _imports(path: Path, source: str | None = None) -> set[str]:
    """Every charter module this file imports, at any depth of the file (function-level included)."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source if source is not None else path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("charter")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("charter"):
                # `from . import x` names a module when x is one
                for alias in node.names:
                    candidate = f"{target}.{alias.name}"
                    found.add(candidate if _exists(candidate) else target)
    return {name for name in found if name != module}


def _exists(module: str) -> bool:
    relative = Path(*module.split("."))
    return (PACKAGE.parent / relative).with_suffix(".py").is_file() or (PACKAGE.parent / relative / "__init__.py").is_file()


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: {i for i in _imports(path) if i in MODULES and i != "charter"} for name, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_from_a_layer_above_or_beside_its_own(module):
    own = _layer(module)
    wrong = sorted(i for i in GRAPH[module] if RANK[_layer(i)] > RANK[own] or
                   (RANK[_layer(i)] == RANK[own] and _layer(i) != own))
    assert not wrong, f"{module} ({own}) imports from above or beside: {wrong}"


def test_there_is_no_import_cycle():
    visiting, done, cycles = set(), set(), []

    def visit(node, trail):
        if node in done:
            return
        if node in visiting:
            cycles.append(trail[trail.index(node):] + [node])
            return
        visiting.add(node)
        for target in sorted(GRAPH[node]):
            visit(target, trail + [node])
        visiting.discard(node)
        done.add(node)

    for module in sorted(GRAPH):
        visit(module, [])
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_400_lines(module):
    lines = len(MODULES[module].read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_the_walker_sees_a_function_level_upward_import():
    """The control: an import inside a function counts like one at the top, and is flagged."""
    found = _imports(PACKAGE / "core" / "dates.py", "def later():\n    from ..register import entries\n")
    assert found == {"charter.register.entries"}
    assert RANK[_layer("charter.register.entries")] > RANK[_layer("charter.core.dates")]
    assert _layer("charter.pipeline") == "pipeline"
    assert "charter.pipeline" in GRAPH["charter.interfaces.batch"]
    assert _layer("charter.cli.views") == "top"


def test_no_undefined_or_unused_names():
    """ruff's pyflakes checks: an undefined name is a crash waiting for its code path."""
    import shutil
    import subprocess
    import sys

    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    result = subprocess.run([ruff, "check", "--no-cache", str(PACKAGE), str(PACKAGE.parent / "tests"),
                             str(PACKAGE.parent / "benchmarks")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


FRONT_ENDS = {"charter.interfaces.terminal", "charter.interfaces.web", "charter.interfaces.batch"}


def _front_end(module: str) -> str | None:
    return next((end for end in FRONT_ENDS if module == end or module.startswith(end + ".")), None)


def test_no_front_end_imports_another():
    """The web form, the terminal questionnaire and batch share the questions engine and the layers
    below, never each other: a server has no use for a terminal's prompt library."""
    crossing = sorted((name, imported) for name, imported_set in GRAPH.items() for imported in imported_set
                      if _front_end(name) and _front_end(imported) and _front_end(name) != _front_end(imported))
    assert crossing == []


def test_the_web_loads_no_terminal_library():
    import subprocess
    import sys

    loaded = subprocess.run([sys.executable, "-c", "import sys, charter.interfaces.web; "
                             "print(sorted(m for m in ('questionary', 'rich', 'prompt_toolkit') if m in sys.modules))"],
                            capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
