"""What one render of a template may cost, and what a step would cost before it is taken.

A unit's templates and rule texts are hostile until proven otherwise. Jinja's sandbox keeps
them from Python's internals; these limits keep them from the machine's time and memory.
A deadline alone cannot do it: one C call (`"a".ljust(10**10)`, `s.replace("a", s)`, a join
of a list that holds one long string 100,000 times) builds its value before any clock is
read again. So every call that could build a large value is priced first, from the size of
what it is given, and refused when the price exceeds what is left of the render's
allowance; what it did build is then added to the tally.

Sizes are in characters (and slots of a list or dict), counted deeply: a list holding the
same long string twice weighs it twice, as its text would.
"""

from __future__ import annotations

import re
import string
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TypeVar

from jinja2.exceptions import SecurityError

RENDER_SECONDS = 5.0  # far above any honest template: a 5,000-member roster renders in well under a second
MAX_STEPS = 200_000  # calls, operators and loop rounds (a charter with a 5,000-member roster takes 5,000)
MAX_OUTPUT_CHARS = 5_000_000
MAX_BUILT_CHARS = 20_000_000  # every value the template builds, added up
MAX_FORMAT_WIDTH = 1_000
MAX_INT_DIGITS = 4_300  # Python's own limit for printing an int
MAX_DEPTH = 64
MAX_SLOW_INPUT = 100_000  # wordwrap and urlize take more than linear time in their input
GROWTH = 6  # what a text may grow to when escaped, quoted or printed (& → &amp;)


class TemplateTooCostly(SecurityError):
    """A template asked for more time, output or memory than a charter ever needs."""


class _Budget:
    __slots__ = ("deadline", "steps", "output", "built", "weights")

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.steps = self.output = self.built = 0
        self.weights: dict[int, tuple[object, int]] = {}  # containers cannot change during a render


_local = threading.local()


@contextmanager
def render_budget(seconds: float = RENDER_SECONDS) -> Iterator[None]:
    """The limits one render works within; a render inside another shares the outer one's."""
    if getattr(_local, "budget", None) is not None:
        yield
        return
    _local.budget = _Budget(seconds)
    try:
        yield
    finally:
        _local.budget = None


def _current() -> _Budget:
    budget: _Budget | None = getattr(_local, "budget", None)
    if budget is None:  # CharterSandbox's templates open one; anything else is a bug, not a licence
        raise RuntimeError("a sandboxed template rendered outside render_budget()")
    return budget


def step() -> None:
    budget = _current()
    budget.steps += 1
    if budget.steps > MAX_STEPS:
        raise TemplateTooCostly("the template takes far too many steps")
    if time.monotonic() > budget.deadline:
        raise TemplateTooCostly("the template took too long to render")


def weight(value: object, depth: int = 0) -> int:
    """The size of a value as text: characters, plus one per slot of a container, counted deeply."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        return value.bit_length() * 3 // 10 + 1
    if isinstance(value, (float, date)):
        return 26
    if isinstance(value, range):
        return len(value) * (weight(max(abs(value.start), abs(value.stop))) + 2)
    if not isinstance(value, CONTAINERS):
        return 16  # a generator, a macro, an undefined: what printing it shows is short
    memo = _current().weights
    known = memo.get(id(value))
    if known is not None:
        return known[1]
    if depth > MAX_DEPTH:
        raise TemplateTooCostly("the template builds values nested far too deeply")
    total = len(value)
    for item in (value.items() if isinstance(value, dict) else value):
        total += weight(item, depth + 1)
        if total > MAX_BUILT_CHARS:
            break
    if total > _MEMO_FROM:
        # Kept, so that a list holding the same list twice, 60 levels deep, is weighed in 60 steps, not 2**60.
        memo[id(value)] = (value, total)
    return total


CONTAINERS = (list, tuple, dict, set, frozenset)
_MEMO_FROM = 256


def shallow(value: object) -> int:
    """What a new value itself takes (its items were counted when they were built)."""
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        return len(value)
    return 0


def expect(size: int) -> None:
    """Refuse a step whose result could be larger than what is left of the allowance."""
    budget = _current()
    if budget.built + size > MAX_BUILT_CHARS:
        raise TemplateTooCostly("the template builds a value far too large")


_Value = TypeVar("_Value")


def built(value: _Value) -> _Value:
    """A value the template built, added to the tally. A new list or dict may hold what exists
    already, many times over; its whole weight must fit too (so that comparing, hashing or
    printing it stays within bounds). A number may not be huge: `"f" * 10**6 | int(base=16)` is
    cheap to make, but one division of two such numbers takes a minute in a single C call."""
    if isinstance(value, int) and not isinstance(value, bool) and weight(value) > MAX_INT_DIGITS:
        raise TemplateTooCostly("a number far too large")
    budget = _current()
    budget.built += shallow(value)
    if budget.built > MAX_BUILT_CHARS or (isinstance(value, CONTAINERS) and weight(value) > MAX_BUILT_CHARS):
        raise TemplateTooCostly("the template builds values far too large")
    return value


def count_output(value: _Value) -> _Value:
    """Everything printed, priced before it is turned into text."""
    budget = _current()
    budget.output += len(value) if isinstance(value, str) else GROWTH * weight(value) + 64
    if budget.output > MAX_OUTPUT_CHARS:
        raise TemplateTooCostly("the template's output is far too long")
    return value


def generic(*values: object) -> int:
    """A step that copies, escapes or prints what it is given: at most a few times its size."""
    return GROWTH * sum(weight(v) for v in values) + 64


def materialized(value: object) -> object:
    """An iterator (a map, a select) as a list, so its size can be known before a join."""
    return built(list(value)) if isinstance(value, Iterator) else value


def size_argument(value: object) -> int:
    """A width or count, as the characters it asks for."""
    return value if isinstance(value, int) and value > 0 else weight(value)


def joined(items: Iterable[object], separator: object) -> int:
    items = list(items) if not isinstance(items, (list, tuple, str)) else items
    return GROWTH * (sum(weight(item) for item in items) + len(items) * weight(separator)) + 64


def replaced(text: object, old: object, new: object, count: object = None) -> int:
    text, old = str(text), str(old)
    occurrences = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and count >= 0:
        occurrences = min(occurrences, count)
    return GROWTH * (len(text) + occurrences * weight(new)) + 64


def slow_input(text: object) -> int:
    if weight(text) > MAX_SLOW_INPUT:
        raise TemplateTooCostly("the text is far too long for this filter")
    return generic(text)


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.DOTALL)


def _checked_width(*numbers: str) -> int:
    if any(n == "*" or "{" in n for n in numbers):
        raise TemplateTooCostly("a computed format width")
    widest = max((int(n) for n in numbers if n and n.isdigit()), default=0)
    if widest > MAX_FORMAT_WIDTH:
        raise TemplateTooCostly("format width too large")
    return widest


def _largest(args: object) -> int:
    values = args.values() if isinstance(args, dict) else args if isinstance(args, (tuple, list)) else [args]
    return max((weight(v) for v in values), default=0)


def percent_formatted(pattern: str, args: object) -> int:
    """`pattern % args`: each conversion prints at most the largest argument, padded."""
    conversions = [(width, precision) for width, precision, kind in _PERCENT.findall(pattern) if kind != "%"]
    widest = max((_checked_width(w, p) for w, p in conversions), default=0)
    return GROWTH * (len(pattern) + len(conversions) * (_largest(args) + widest)) + 64


def brace_formatted(pattern: str, args: tuple[object, ...], kwargs: object) -> int:
    """`pattern.format(...)`: each field prints at most the largest argument, padded."""
    fields = [spec for _, name, spec, _ in string.Formatter().parse(pattern) if name is not None]
    widest = max((_checked_width(*re.findall(r"\d+|\*|\{", spec or "")) for spec in fields), default=0)
    largest = max(_largest(args), _largest(kwargs))
    return GROWTH * (len(pattern) + len(fields) * (largest + widest)) + 64


def product(left: object, right: object) -> int:
    """`left * right`: a repeated text or list, or a product of numbers."""
    for sized, times in ((left, right), (right, left)):
        if isinstance(sized, (str, bytes, list, tuple)) and isinstance(times, int):
            return weight(sized) * max(times, 0)
    if isinstance(left, int) and isinstance(right, int):
        digits = weight(left) + weight(right)
        if digits > MAX_INT_DIGITS:
            raise TemplateTooCostly("a number far too large")
        return digits
    return 64


def power(left: object, right: object) -> int:
    if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
        if right > MAX_INT_DIGITS or weight(left) * right > MAX_INT_DIGITS:
            raise TemplateTooCostly("a number far too large")
    return 64
