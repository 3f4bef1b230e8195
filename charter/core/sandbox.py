"""The Jinja sandbox that rule texts and every template render in.

A unit folder is something people download from another office, so its templates and
rule texts are treated as hostile. The context they see is plain data (dicts, lists,
strings, numbers, dates); on top of Jinja's immutable sandbox this environment

- lets a template read attributes of plain data and of Jinja's own helpers only, so an
  object with methods that slipped into a context still gives nothing;
- bounds the work a template can ask for: loops, operators and filters that build big
  values (`*`, `+`, `~`, `**`, `%`, str.format widths, `center(10**9)`), and the time and
  output of one render.
"""

from __future__ import annotations

import re
import string
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime
from datetime import time as clock_time
from functools import update_wrapper

from jinja2 import nodes, pass_eval_context
from jinja2.runtime import (
    BlockReference,
    LoopContext,
    Macro,
    Namespace,
    TemplateReference,
    Undefined,
    markup_join,
    str_join,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

RENDER_SECONDS = 10.0  # far above any honest template (a whole charter renders in milliseconds)
MAX_OUTPUT_CHARS = 5_000_000
MAX_BUILT_LENGTH = 100_000  # a string or list that `*` may build
MAX_FORMAT_WIDTH = 1_000

PLAIN_TYPES = (str, Markup, int, float, bool, type(None), date, datetime, clock_time, dict, list, tuple)
JINJA_TYPES = (LoopContext, Namespace, TemplateReference, BlockReference, Macro, Undefined)

_budget = threading.local()


class TemplateTooCostly(SecurityError):
    """A template asked for more time, output or memory than a charter ever needs."""


@contextmanager
def render_budget(seconds: float = RENDER_SECONDS):
    """The limits one render works within (nested renders share the outer one's)."""
    if getattr(_budget, "deadline", None) is not None:
        yield
        return
    _budget.deadline, _budget.output = time.monotonic() + seconds, 0
    try:
        yield
    finally:
        _budget.deadline = None


def _check_time() -> None:
    deadline = getattr(_budget, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise TemplateTooCostly("the template took too long to render")


def _bounded(iterable):
    """Every loop of a template runs through this, so no loop can outlast the render's time."""
    for count, item in enumerate(iterable):
        if count % 256 == 0:
            _check_time()
        yield item


def _count_output(value):
    if getattr(_budget, "deadline", None) is not None:
        _budget.output += len(str(value))
        if _budget.output > MAX_OUTPUT_CHARS:
            raise TemplateTooCostly("the template's output is far too long")
        _check_time()
    return value


def _size(value) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _limit_size(value):
    length = _size(value)
    if length is not None and length > MAX_BUILT_LENGTH:
        raise TemplateTooCostly("the template builds a value far too large")
    return value


@pass_eval_context
def _bounded_concat(eval_ctx, parts):
    """`a ~ b`: joined as Jinja joins it, refused once far longer than any charter needs
    (a loop that doubles a string would otherwise fill the memory before any deadline)."""
    return _limit_size((markup_join if eval_ctx.autoescape else str_join)(parts))


def _capped_filter(function):
    """A built-in filter whose number arguments (widths, counts) cannot ask for a huge value:
    `center(10**9)` or `slice(10**9)` would build it in one step, before any deadline."""
    def capped(*args, **kwargs):
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_BUILT_LENGTH:
                raise TemplateTooCostly("a filter was asked for a value far too large")
        return function(*args, **kwargs)
    return update_wrapper(capped, function)


class _Bounded(NodeTransformer):
    """Every loop's iterable through charter_bounded, every `~` through charter_concat."""

    def visit_For(self, node):
        node = self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "charter_bounded", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node):
        node = self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), "charter_concat", [], [], None, None,
                            lineno=node.lineno)


_DIGITS = re.compile(r"\d+")


def _check_format_string(pattern: str) -> None:
    for _, _, spec, _ in string.Formatter().parse(pattern):
        if spec and ("{" in spec or any(int(n) > MAX_FORMAT_WIDTH for n in _DIGITS.findall(spec))):
            raise TemplateTooCostly("format width too large")


_PERCENT_WIDTH = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")


class CharterSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.finalize = _count_output
        self.filters = {name: _capped_filter(function) for name, function in self.filters.items()}
        self.filters["charter_bounded"] = _bounded
        self.filters["charter_concat"] = _bounded_concat
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)

    def is_safe_attribute(self, obj, attr, value) -> bool:
        return isinstance(obj, PLAIN_TYPES + JINJA_TYPES) and super().is_safe_attribute(obj, attr, value)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        _check_time()
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator, left, right):
        _check_time()
        if operator == "*":
            for sized, times in ((left, right), (right, left)):
                length = _size(sized)
                if length is not None and isinstance(times, int) and length * times > MAX_BUILT_LENGTH:
                    raise TemplateTooCostly("the template builds a value far too large")
        elif operator == "+":
            return _limit_size(super().call_binop(context, operator, left, right))
        elif operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 64:
                raise TemplateTooCostly("exponent too large")
        elif operator == "%" and isinstance(left, str):
            for width, precision in _PERCENT_WIDTH.findall(left):
                if "*" in (width, precision) or any(n and int(n) > MAX_FORMAT_WIDTH for n in (width, precision)):
                    raise TemplateTooCostly("format width too large")
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        pattern = value.__self__

        def checked(*args, **kwargs):
            _check_format_string(pattern)
            return wrapped(*args, **kwargs)
        return update_wrapper(checked, wrapped)

    def _parse(self, source, name, filename):
        return _Bounded().visit(super()._parse(source, name, filename))
