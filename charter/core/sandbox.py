"""The Jinja sandbox that rule texts and every template render in.

A unit folder is something people download from another office, so its templates and
rule texts are treated as hostile. The context they see is plain data (dicts, lists,
strings, numbers, dates); on top of Jinja's immutable sandbox this environment

- lets a template read a short list of harmless attributes of plain data (`s.upper`,
  `d.items`, `day.year`) and Jinja's own helpers (`loop.index`), nothing else, so an object
  with methods that slipped into a context still gives nothing;
- prices every call, filter and operator before it runs and bounds the render's steps,
  time, output and memory (core/template_costs.py), so no template can hang or exhaust the machine;
- opens those limits itself for every render (no caller can forget them).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from datetime import time as clock_time
from functools import update_wrapper
from typing import Any, NoReturn, TypeVar

from jinja2 import FileSystemBytecodeCache, nodes, pass_context, pass_eval_context
from jinja2.environment import Template
from jinja2.nodes import EvalContext
from jinja2.runtime import (
    BlockReference,
    Context,
    LoopContext,
    Macro,
    TemplateReference,
    Undefined,
    markup_join,
    str_join,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace, _PassArg
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from . import template_costs
from .template_costs import TemplateTooCostly, render_budget

_TEXT_METHODS = frozenset(
    "capitalize casefold center count endswith find format format_map index isalnum isalpha isascii isdecimal "
    "isdigit islower isnumeric isspace istitle isupper join ljust lower lstrip partition removeprefix removesuffix "
    "replace rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip swapcase title upper "
    "zfill escape striptags unescape".split())
# What a template may read of plain data; anything else (encode, translate, to_bytes, fromkeys…)
# is refused even when Jinja's own sandbox would allow it.
SAFE_ATTRIBUTES = (
    ((str,), _TEXT_METHODS),
    ((date, datetime, clock_time), frozenset(
        "year month day hour minute second weekday isoweekday isoformat isocalendar strftime toordinal".split())),
    ((bool, int, float), frozenset({"real", "imag", "is_integer"})),
    ((list, tuple), frozenset({"count", "index"})),
    ((dict,), frozenset({"get", "items", "keys", "values"})),
)
JINJA_TYPES = (LoopContext, Namespace, TemplateReference, BlockReference, Macro, Undefined)

# How large each filter's result can be, from its arguments (by name); the rest copy, escape or
# print what they are given (template_costs.generic).
_FILTER_COSTS: dict[str, Callable[[dict[str, Any]], int]] = {
    "center": lambda a: template_costs.generic(a["value"]) + template_costs.size_argument(a["width"]),
    "indent": lambda a: template_costs.generic(a["s"]) + (str(a["s"]).count("\n") + 2) * template_costs.size_argument(a["width"]),
    "join": lambda a: template_costs.joined(a["value"], a["d"]),
    "replace": lambda a: template_costs.replaced(a["s"], a["old"], a["new"], a["count"]),
    "format": lambda a: template_costs.percent_formatted(str(a["value"]), a["kwargs"] or a["args"]),
    "wordwrap": lambda a: template_costs.slow_input(a["s"]) * (2 + template_costs.weight(a["wrapstring"])),
    "urlize": lambda a: template_costs.slow_input(a["value"]) * (2 + template_costs.weight(a["target"]) + template_costs.weight(a["rel"])),
    "truncate": lambda a: template_costs.generic(a["s"], a["end"]),
    "batch": lambda a: template_costs.generic(a["value"]) + template_costs.size_argument(a["linecount"]) * template_costs.weight(a["fill_with"]),
    "slice": lambda a: template_costs.generic(a["value"]) + template_costs.size_argument(a["slices"]) * template_costs.weight(a["fill_with"]),
    "sum": lambda a: template_costs.generic(a["iterable"]) if isinstance(a["start"], (int, float)) else _refuse("sum"),
    "tojson": lambda a: template_costs.generic(a["value"]) if a["indent"] is None else _refuse("tojson indent"),
}
_METHOD_COSTS: dict[str, Callable[..., int]] = {
    "center": lambda text, width, *rest: template_costs.generic(text) + template_costs.size_argument(width),
    "ljust": lambda text, width, *rest: template_costs.generic(text) + template_costs.size_argument(width),
    "rjust": lambda text, width, *rest: template_costs.generic(text) + template_costs.size_argument(width),
    "zfill": lambda text, width: template_costs.generic(text) + template_costs.size_argument(width),
    "join": lambda separator, items: template_costs.joined(items, separator),
    "replace": lambda text, old, new, count=None: template_costs.replaced(text, old, new, count),
}
_REMOVED_FILTERS = ("pprint",)  # prints nested data at any width; nothing a charter needs
_REMOVED_GLOBALS = ("lipsum", "cycler", "joiner")


def _refuse(what: str) -> NoReturn:
    raise TemplateTooCostly(f"{what} is not available in a unit's template")


def _priced_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in filter whose result is priced before it runs and counted after."""
    skip = 1 if _PassArg.from_obj(function) is not None else 0
    price = _FILTER_COSTS.get(name)
    signature = inspect.signature(function)
    if price is not None and skip and len(signature.parameters) and \
            list(signature.parameters)[0] in ("environment", "env", "context", "eval_ctx"):
        signature = signature.replace(parameters=list(signature.parameters.values())[1:])

    def priced(*args: Any, **kwargs: Any) -> Any:
        template_costs.step()
        if name == "join" and len(args) > skip:
            args = (*args[:skip], template_costs.materialized(args[skip]), *args[skip + 1:])
        if price is None:
            template_costs.expect(template_costs.generic(*args[skip:], *kwargs.values()))
        else:
            bound = signature.bind(*args[skip:], **kwargs)
            bound.apply_defaults()
            template_costs.expect(price(bound.arguments))
        return template_costs.built(function(*args, **kwargs))
    return update_wrapper(priced, function)


class _PricedFilters(dict[str, Callable[..., Any]]):
    """The filters of the environment; one added later (the templates' `md`) is priced like the
    built-in ones. (dict.update, which charter's own bookkeeping filters go in by, is left as is.)"""

    def __setitem__(self, name: str, function: Callable[..., Any]) -> None:
        super().__setitem__(name, _priced_filter(name, function))


_Item = TypeVar("_Item")


@pass_context  # never folded into a constant when the template is compiled
def _bounded(context: Context, iterable: Iterable[_Item]) -> Iterator[_Item]:
    """Every loop of a template runs through this: each round is a step."""
    for item in iterable:
        template_costs.step()
        yield item


@pass_context
def _literal(context: Context, text: str) -> Markup:
    """The template's own text, as an expression, so that the output budget counts it each time it
    is printed (inside a loop, a line of text is printed as often as the loop asks)."""
    return Markup(text)


@pass_eval_context
def _priced_concat(eval_ctx: EvalContext, parts: list[Any]) -> str:
    """`a ~ b`, priced first: a loop that doubles a string would otherwise fill the memory."""
    template_costs.step()
    template_costs.expect(template_costs.generic(*parts))
    return template_costs.built((markup_join if eval_ctx.autoescape else str_join)(parts))


@pass_context
def _priced_literal(context: Context, value: _Item) -> _Item:
    """A list, tuple or dict written in the template, weighed: `[x, x]` sixty times over would
    otherwise be a value whose comparison or printing never ends."""
    template_costs.step()
    return template_costs.built(value)


def _through(node: nodes.Node, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


class _Bounded(NodeTransformer):
    """Every loop's iterable through charter_bounded, every `~` through charter_concat, every
    list, tuple or dict written in the template through charter_built, the template's own text
    through charter_literal."""

    # generic_visit changes the node in place (and returns it)

    def visit_List(self, node: nodes.List | nodes.Dict) -> nodes.Filter:
        return _through(self.generic_visit(node), "charter_built")

    visit_Dict = visit_List

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        self.generic_visit(node)
        return _through(node, "charter_built") if node.ctx == "load" else node

    def visit_Output(self, node: nodes.Output) -> nodes.Output:
        self.generic_visit(node)
        node.nodes = [_through(nodes.Const(child.data, lineno=child.lineno), "charter_literal")
                      if isinstance(child, nodes.TemplateData) else child for child in node.nodes]
        return node

    def visit_For(self, node: nodes.For) -> nodes.For:
        self.generic_visit(node)
        node.iter = _through(node.iter, "charter_bounded")
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Filter:
        self.generic_visit(node)
        return _through(nodes.List(node.nodes, lineno=node.lineno), "charter_concat")


class _BudgetedTemplate(Template):
    """Every render of a sandboxed template within the limits of core/template_costs.py."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with render_budget():
            return super().render(*args, **kwargs)

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        with render_budget():
            yield from super().generate(*args, **kwargs)


class CharterSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+", "-", "/", "//"})
    template_class = _BudgetedTemplate

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.finalize = template_costs.count_output
        self.filters = _PricedFilters({name: _priced_filter(name, function) for name, function in self.filters.items()
                                       if name not in _REMOVED_FILTERS})
        self.filters.update(charter_bounded=_bounded, charter_concat=_priced_concat, charter_literal=_literal,
                            charter_built=_priced_literal)
        for name in _REMOVED_GLOBALS:
            self.globals.pop(name, None)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, JINJA_TYPES):
            return super().is_safe_attribute(obj, attr, value)
        return any(isinstance(obj, types) and attr in names for types, names in SAFE_ATTRIBUTES) and \
            super().is_safe_attribute(obj, attr, value)

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        return template_costs.built(value) if isinstance(argument, slice) else value

    def call(__self, __context: Context, __obj: Any, *args: Any,  # noqa: N805 (Jinja's own signature)
             **kwargs: Any) -> Any:
        template_costs.step()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and __obj.__name__ == "join" and args:
            args = (template_costs.materialized(args[0]), *args[1:])
        price = _METHOD_COSTS.get(getattr(__obj, "__name__", "")) if isinstance(owner, str) else None
        template_costs.expect(price(owner, *args, **kwargs) if price else template_costs.generic(owner, *args, *kwargs.values()))
        return template_costs.built(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        template_costs.step()
        if operator == "*":
            template_costs.expect(template_costs.product(left, right))
        elif operator == "**":
            template_costs.expect(template_costs.power(left, right))
        elif operator == "%" and isinstance(left, str):
            template_costs.expect(template_costs.percent_formatted(left, right))
        else:
            template_costs.expect(template_costs.generic(left, right))
        return template_costs.built(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        pattern = value.__self__

        def priced(*args: Any, **kwargs: Any) -> str:
            template_costs.step()
            mapping = args[0] if value.__name__ == "format_map" and args else kwargs
            template_costs.expect(template_costs.brace_formatted(pattern, args if mapping is kwargs else (), mapping))
            return template_costs.built(wrapped(*args, **kwargs))
        return update_wrapper(priced, wrapped)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        bounded: nodes.Template = _Bounded().visit(super()._parse(source, name, filename))
        return bounded


def bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept in the user's cache folder, so a process does not compile the
    charter's templates and rule texts anew (a tenth of a render). Keyed by Jinja's version and
    this sandbox's own code, since the sandbox rewrites every template it compiles; None when
    switched off (CHARTER_NO_TEMPLATE_CACHE) or the folder cannot be made."""
    import hashlib
    import os
    from pathlib import Path

    import jinja2
    import platformdirs

    if os.environ.get("CHARTER_NO_TEMPLATE_CACHE"):
        return None
    here = Path(__file__)
    code = b"".join(here.with_name(name).read_bytes() for name in ("sandbox.py", "template_costs.py"))
    key = hashlib.sha256(jinja2.__version__.encode() + code).hexdigest()[:16]
    folder = Path(platformdirs.user_cache_dir("charter", appauthor=False)) / f"templates-{key}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))
