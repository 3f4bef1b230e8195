"""The command line: a thin shell over the functions that make and check charters.

`main` decides before anything else is imported whether the command will make a PDF, so
that WeasyPrint can start loading in a child process at once (render/pdf.py).
"""

from __future__ import annotations

import gc
import sys

_MAKES_PDF = {"render", "demo", "renew", "batch", "unit"}  # unit check renders the examples


def _makes_pdf(args: list[str]) -> bool:
    """A guess from the arguments alone: a wrong "yes" costs an idle child, a wrong "no" a slower PDF."""
    if not args or args[0] not in _MAKES_PDF or any(a in ("-h", "--help") for a in args):
        return False
    for index, arg in enumerate(args):
        if arg == "--format" and index + 1 < len(args):
            return any(kind in args[index + 1].lower() for kind in ("pdf", "poster"))
        if arg.startswith("--format="):
            return any(kind in arg.lower() for kind in ("pdf", "poster"))
    return True


def __getattr__(name: str):
    if name == "cli":  # the click group, with every command registered
        from . import charters, register, units, webhook  # noqa: F401  (each adds its commands to the group)
        from .base import cli
        from .language import offer_lang

        offer_lang(cli)
        return cli
    raise AttributeError(name)


def main() -> None:
    try:
        _run()
    except KeyboardInterrupt:  # Ctrl-C before a command runs (the commands answer it themselves)
        sys.exit(130)


def _run() -> None:
    # A command runs once and exits: collecting cycles every 700 new objects while hundreds of
    # modules load costs about a tenth of the start-up and frees almost nothing.
    gc.set_threshold(50_000, 20, 100)
    if _makes_pdf(sys.argv[1:]):
        from ..render.pdf import start_renderer

        start_renderer()
    from .language import localize, requested_lang

    group = __getattr__("cli")
    localize(group, requested_lang(sys.argv[1:]))
    group(prog_name="charter")
