"""The layers import only downwards: the self-check of the layout, beside the route-by-role access test.

Every module of ``recall/`` is parsed with ``ast`` (nothing is imported or run) and each import is
resolved to a full dotted name: ``import x``, ``from x import y``, relative imports, and imports
inside functions alike. A name reached through an imported module (``recall.create_app`` after
``import recall``) counts as an import of that name. The rules (``../shared/STYLE.md``):

- the two surfaces never import each other: web not api, api not web;
- services know no surface and no app factory: not web, not api, not ``recall.create_app``;
- rules are pure: not models, services, flask or sqlalchemy;
- models do not call services.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import recall

# (layer, what it must not import, why): a module is in a layer when its name is the layer's or
# starts with it and a dot; an import is forbidden in the same way.
RULES = (
    ("recall.web", ("recall.api",), "surfaces do not import each other"),
    ("recall.api", ("recall.web",), "surfaces do not import each other"),
    (
        "recall.services",
        ("recall.web", "recall.api", "recall.create_app"),
        "services know no surface and no app factory",
    ),
    (
        "recall.rules",
        ("recall.models", "recall.services", "flask", "sqlalchemy"),
        "rules are pure: no database, no services, no Flask",
    ),
    ("recall.models", ("recall.services",), "models do not call services"),
)


@dataclass(frozen=True)
class Violation:
    path: str  # relative to the directory holding the package: recall/web/signing/routes.py
    line: int
    module: str
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.module} imports {self.imported} ({self.why})"


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _module_name(path: Path, root: Path) -> tuple[str, bool]:
    """The dotted name of the module at ``path`` under the package directory ``root``, and
    whether it is a package (``__init__.py``)."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def _imports(tree: ast.AST, module: str, is_package: bool):
    """Yield ``(line, full dotted name)`` for every import in ``tree``, however deeply nested,
    and for attributes reached through an imported module (``recall.create_app``)."""
    aliases: dict[str, str] = {}  # local name -> module it is bound to by ``import``
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    aliases[root] = root
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base.pop()
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            yield node.lineno, source
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{source}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain, value = [node.attr], node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in aliases:
                yield node.lineno, ".".join([aliases[value.id], *reversed(chain)])


def forbidden_imports(package_dir: Path, rules=RULES) -> tuple[int, list[Violation]]:
    """Check every ``*.py`` under ``package_dir`` (the directory of a top-level package) against
    ``rules``; return the number of modules read and the violations, one per line and name."""
    modules, found = 0, set()
    for path in sorted(package_dir.rglob("*.py")):
        modules += 1
        module, is_package = _module_name(path, package_dir)
        layer_rules = [(bad, why) for layer, bad, why in rules if _within(module, layer)]
        if not layer_rules:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _imports(tree, module, is_package):
            for bad, why in layer_rules:
                if any(_within(name, b) for b in bad):
                    where = path.relative_to(package_dir.parent).as_posix()
                    found.add(Violation(where, line, module, name, why))
    # ``from recall.api import bp`` yields recall.api and recall.api.bp: report the name imported.
    violations = sorted(
        (
            v
            for v in found
            if not any(
                o.path == v.path and o.line == v.line and _within(o.imported, v.imported) and o != v
                for o in found
            )
        ),
        key=lambda v: (v.path, v.line, v.imported),
    )
    return modules, violations


RECALL_DIR = Path(recall.__file__).parent


def test_layers_import_only_what_the_layout_allows():
    modules, violations = forbidden_imports(RECALL_DIR)
    assert modules > 50, f"only {modules} modules found under {RECALL_DIR}"
    # A renamed layer would make its rule check nothing.
    assert all((RECALL_DIR.parent / layer.replace(".", "/")).is_dir() for layer, _, _ in RULES)
    assert violations == [], "forbidden imports:\n" + "\n".join(map(str, violations))


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_checker_finds_each_kind_of_forbidden_import(tmp_path):
    """A fake ``recall`` package: each forbidden form is found once, with its file and line; the
    allowed imports next to them are not reported."""
    pkg = tmp_path / "recall"
    _write(pkg, "__init__.py", "def create_app():\n    pass\n")
    _write(pkg, "api/__init__.py", "bp = None\n")
    _write(pkg, "api/limits.py", "LIMIT = 1\n")
    _write(pkg, "web/__init__.py", "")
    _write(pkg, "web/signing/__init__.py", "")
    _write(
        pkg,
        "web/signing/routes.py",
        "from recall.services import signing\n"  # allowed
        "from recall.web.forms import attach_error\n"  # allowed
        "from ...api.limits import LIMIT\n",  # relative, three levels up: recall.api.limits
    )
    _write(pkg, "services/__init__.py", "")
    _write(
        pkg,
        "services/voter_roll.py",
        "import recall\n"
        "from recall.extensions import db\n"
        "\n"
        "def job():\n"
        "    from recall import create_app\n"  # inside a function
        "    return recall.create_app\n",  # through the imported package
    )
    _write(pkg, "rules/__init__.py", "")
    _write(pkg, "rules/iin.py", "import datetime\nimport sqlalchemy.orm as orm\n")
    _write(pkg, "models/__init__.py", "from . import user\n")
    _write(pkg, "models/user.py", "from ..services import audit\n")

    modules, violations = forbidden_imports(pkg)

    assert modules == 12
    assert [(v.path, v.line, v.imported) for v in violations] == [
        ("recall/models/user.py", 1, "recall.services.audit"),
        ("recall/rules/iin.py", 2, "sqlalchemy.orm"),
        ("recall/services/voter_roll.py", 5, "recall.create_app"),
        ("recall/services/voter_roll.py", 6, "recall.create_app"),
        ("recall/web/signing/routes.py", 3, "recall.api.limits.LIMIT"),
    ]
    assert str(violations[-1]) == (
        "recall/web/signing/routes.py:3: recall.web.signing.routes imports recall.api.limits.LIMIT "
        "(surfaces do not import each other)"
    )
