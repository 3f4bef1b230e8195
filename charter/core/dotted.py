"""Answers as nested tables, addressed by dotted keys such as "rules.params.quiet_start"."""

from __future__ import annotations

import copy
from typing import Any, TypeAlias

# A parsed TOML file, a form's answers: tables of whatever the user wrote, read key by key.
Tree: TypeAlias = dict[str, Any]

MISSING = object()


def get(tree: Tree, key: str, default: Any = None) -> Any:
    node: Any = tree
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def put(tree: Tree, key: str, value: Any) -> None:
    """Set a dotted key, making the tables on the way; None removes the key."""
    *tables, name = key.split(".")
    node = tree
    for table in tables:
        if value is None and not isinstance(node.get(table), dict):
            return  # nothing there to remove
        node = node.setdefault(table, {})
    if value is None:
        node.pop(name, None)
    else:
        node[name] = copy.deepcopy(value)


def leaves(tree: Tree, prefix: str = "") -> dict[str, Any]:
    """Dotted keys of every value that is not a table: {"rules.params.quiet_start": "21:00", …}."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(leaves(value, path))
        else:
            out[path] = value
    return out


def merged(base: Tree, over: Tree) -> Tree:
    """`over` laid on `base`, table by table; neither is changed."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else copy.deepcopy(value)
    return out
