"""How long, how large and how many pages one PDF may take.

Jinja's budget bounds what a unit's template writes, but not what WeasyPrint then lays out: a
picture whose <use> elements fan out, a hundred thousand page breaks or nested flex boxes in a
footer kept a render going for minutes, then hours. Every PDF is laid out under these limits,
wherever it is made (the command line's renderer child, a batch worker, a web worker).
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

# A charter is one page and a 5,000-member roster (the answers file's cap) about a hundred; a
# charter at the limits lays out in well under ten seconds on a slow machine.
SECONDS = float(os.environ.get("CHARTER_RENDER_SECONDS") or 60)
MEMORY_BYTES = int(float(os.environ.get("CHARTER_RENDER_MEMORY_MB") or 4096) * 2**20)
MAX_PAGES = 200


class Overrun(BaseException):
    """The render ran past its time. A BaseException, so that WeasyPrint's own `except Exception`
    around a picture it cannot draw does not swallow it and carry on."""


def cap_memory() -> None:
    """Lower this process's address space to MEMORY_BYTES (never raise it): an allocation past it
    fails, as a MemoryError in Python, instead of the machine swapping. Only processes that do
    nothing but render call it (the renderer child, batch and web workers): the limit is the whole
    process's and passes to what it starts (a browser reserves far more address space than that)."""
    try:
        import resource
    except ImportError:  # Windows: no such limit; the time limit still holds
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = MEMORY_BYTES if hard == resource.RLIM_INFINITY else min(MEMORY_BYTES, hard)
    if soft == resource.RLIM_INFINITY or soft > wanted:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


_fired: list[int] = []  # the running render's deadline has passed (one process renders one PDF at a time)
_late_pictures: list[str] = []  # the pictures still being drawn then, by URL: the likely cause


def guard_pictures() -> None:
    """WeasyPrint draws each SVG picture inside `except BaseException` and goes on without it, so a
    picture that draws other pictures (`<image href="next.svg">`, ten to a level) swallowed every
    Overrun below it. Once the time is up, no picture is drawn: the render returns, and says why."""
    from weasyprint import images

    draw = images.SVGImage.draw
    if getattr(draw, "guarded_by_charter", False):
        return

    def guarded(self, *args, **kwargs):
        if _fired:
            late = getattr(self, "_base_url", None)
            if late and late not in _late_pictures:
                _late_pictures.append(late)
            return None
        return draw(self, *args, **kwargs)

    guarded.guarded_by_charter = True  # type: ignore[attr-defined]
    images.SVGImage.draw = guarded


@contextmanager
def deadline(seconds: float = SECONDS):
    """Raise Overrun in this thread once `seconds` have passed. Only the main thread gets signals;
    elsewhere (never a render's thread in charter) the process that runs it bounds it."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    fired = _fired
    fired.clear()
    _late_pictures.clear()

    def overrun(signum, frame):
        fired.append(signum)
        raise Overrun()

    previous = signal.signal(signal.SIGALRM, overrun)
    # Again every half second, and once more at the end: WeasyPrint catches every exception
    # drawing an SVG picture (and draws without it), so one Overrun alone could be swallowed.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        raise Overrun()


def suspects(base_dir: Path | None, asset_roots: tuple[Path, ...]) -> list[str]:
    """The unit's files most likely to make layout costly, named for the message: the pictures still
    being drawn when the time was up, then its own templates, else its assets; nothing for a charter
    of the built-in templates."""
    pictures = [unquote(urlsplit(url).path) for url in _late_pictures if url.startswith("file:")]
    if base_dir is None:
        return pictures
    templates = sorted(str(path) for path in (Path(base_dir) / "templates").rglob("*.j2"))
    return pictures + templates or [str(root) for root in asset_roots]


# A letterhead or a seal drawn as vectors has hundreds to a few thousand elements; WeasyPrint draws
# about a thousand a second, and a 3 KB picture whose <use> elements fan out ten ways over five
# levels asks for 100,000 (two minutes), over twelve levels for 10^12.
MAX_SVG_ELEMENTS = 10_000
_HREFS = ("href", "{http://www.w3.org/1999/xlink}href")


def svg_elements(data: bytes) -> int | None:
    """How many elements drawing this SVG picture takes, each <use> counted as what it repeats
    (capped just past MAX_SVG_ELEMENTS; a <use> that repeats itself, or a DTD, counts as past it);
    None when it is not XML a picture can be read from (WeasyPrint then draws nothing for it)."""
    from defusedxml import DefusedXmlException, ElementTree

    past = MAX_SVG_ELEMENTS + 1
    try:
        root = ElementTree.fromstring(data)
    except DefusedXmlException:  # a DTD or entities: WeasyPrint reads them, and they hide what is drawn
        return past
    except Exception:  # noqa: BLE001 - not XML
        return None
    by_id: dict = {}
    for element in root.iter():
        by_id.setdefault(element.get("id"), element)
    past = MAX_SVG_ELEMENTS + 1
    counted: dict = {}
    open_ = set()
    stack = [(root, False)]
    while stack:  # depth first without recursion: a picture may nest far deeper than Python's stack
        element, children_counted = stack.pop()
        target = next((by_id.get(element.get(h)[1:]) for h in _HREFS if (element.get(h) or "").startswith("#")),
                      None)
        if children_counted:
            open_.discard(element)
            total = 1 + sum(counted[child] for child in element) + (counted[target] if target is not None else 0)
            counted[element] = min(total, past)
            continue
        if element in counted:
            continue
        open_.add(element)
        stack.append((element, True))
        for below in [*element, *([target] if target is not None else [])]:
            if below in open_:
                return past  # a <use> of itself or of an element around it never ends
            if below not in counted:
                stack.append((below, False))
    return counted[root]


def too_costly_picture(content: bytes) -> bool:
    """Whether a file is an SVG picture (by what it holds, not its name: WeasyPrint draws as SVG a
    "logo.png" that is XML) that would draw more than MAX_SVG_ELEMENTS elements."""
    return content.lstrip()[:1] == b"<" and (svg_elements(content) or 0) > MAX_SVG_ELEMENTS
