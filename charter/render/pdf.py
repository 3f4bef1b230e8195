"""The printable PDF, made by WeasyPrint from the charter's HTML.

WeasyPrint is imported here only, when a PDF is asked for, so the CLI starts fast and the
other formats work on a machine without Pango. A machine that cannot make a correct PDF (no
Pango, no CJK font for a Chinese charter) gets a MachineError naming `charter doctor`.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from ..core.errors import MachineError
from ..core.resources import templates_dir


@cache
def cjk_fonts() -> tuple[str, ...]:
    """The font families fontconfig offers for Chinese; () when there are none or no fc-list to ask."""
    if not shutil.which("fc-list"):
        return ()
    listing = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return tuple(sorted({line.split(",")[0].strip() for line in listing.splitlines() if line.strip()}))


def _weasyprint(lang: str):
    from .weasy import load

    try:
        return load()
    except (ImportError, OSError) as error:
        raise MachineError(lang, "renderer_missing", detail=str(error).splitlines()[0][:160]) from None


def render_pdf(html: str, lang: str, base_dir: Path | None = None, asset_roots: tuple[Path, ...] = ()) -> bytes:
    """The PDF of html. Relative URLs resolve against base_dir; only files under asset_roots and
    the built-in templates can be read."""
    weasyprint = _weasyprint(lang)
    if lang == "zh" and shutil.which("fc-list") and not cjk_fonts():
        raise MachineError(lang, "cjk_font_missing")
    from .fetcher import AssetFetcher  # after load(): it imports from weasyprint

    builtin = templates_dir()
    base = (base_dir or builtin).resolve().as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base, url_fetcher=AssetFetcher([*asset_roots, builtin])).write_pdf()
