"""The layers point one way, read from the modules' own imports (at the top or inside a
function): ``core/`` knows no domain, and no module reaches into another package for a name
that package keeps private (``_name``)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "intranet"
SHARED = {"core", "extensions", "config"}   # what every domain may use


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield path, parts


def _imports(path: Path, parts: tuple[str, ...]):
    """(line, absolute module, imported names, module aliases) of every import of a module."""
    package = parts if path.name == "__init__.py" else parts[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else ()
            module = ".".join(base + tuple((node.module or "").split("."))).strip(".")
            yield node.lineno, module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []


def _top_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "intranet" and len(parts) > 1 else None


def _owner(module_parts) -> tuple[str, ...] | None:
    """The package a module belongs to: its domain, or a publication type's sub-package."""
    parts = tuple(module_parts)
    if parts[:1] != ("intranet",) or len(parts) < 2:
        return None
    return parts[1:3] if parts[1] == "publications" and len(parts) > 3 else parts[1:2]


def test_core_imports_no_domain():
    wrong = []
    for path, parts in _modules():
        if parts[:2] != ("intranet", "core"):
            continue
        for line, module, names in _imports(path, parts):
            targets = [module] + [f"{module}.{n}" for n in names] if module == "intranet" \
                else [module]
            for target in targets:
                top = _top_package(target)
                if top is not None and top not in SHARED:
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert not wrong, "core/ must not know the domains:\n" + "\n".join(wrong)


def test_no_module_imports_another_package_s_private_names():
    wrong = []
    for path, parts in _modules():
        own = _owner(parts)
        for line, module, names in _imports(path, parts):
            if _owner(module.split(".")) in (None, own):
                continue
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports "
                                 f"{module}.{name}")
    assert not wrong, "\n".join(wrong)


def test_no_module_calls_another_package_s_private_functions():
    """``uploads._limit()`` from messaging: the same reach, through a module object."""
    wrong = []
    for path, parts in _modules():
        own = _owner(parts)
        foreign = {}
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, module, names in _imports(path, parts):
            for name in names:
                if _owner(f"{module}.{name}".split(".")) not in (None, own):
                    foreign[name] = f"{module}.{name}"
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in foreign and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} uses "
                             f"{foreign[node.value.id]}.{node.attr}")
    assert not wrong, "\n".join(wrong)


def test_the_walk_reads_the_modules():
    """The tests above would pass on an empty tree."""
    found = {parts for _, parts in _modules()}
    assert ("intranet", "core", "uploads") in found and ("intranet", "access") in found
    lines = list(_imports(PACKAGE / "access" / "__init__.py", ("intranet", "access")))
    assert any(module == "intranet.extensions" for _, module, _ in lines)
