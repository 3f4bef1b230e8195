"""What this machine can render: WeasyPrint and its libraries, font subsetting, CJK fonts."""

from __future__ import annotations

import platform
from dataclasses import dataclass

from .pdf import cjk_fonts

# What to run, on the system this is: Debian's packages, or Windows' own ways.
HINTS = {
    "Windows": {"pango": "install Pango with MSYS2 (pacman -S mingw-w64-ucrt-x86_64-pango), as WeasyPrint's "
                         "installation guide says",
                "subset": "use MSYS2's Pango (it brings HarfBuzz's subsetter)",
                "font": "Settings → Apps → Optional features → add Chinese (Simplified) Supplemental Fonts"},
    "Darwin": {"pango": "brew install pango", "subset": "brew install harfbuzz", "font": "macOS ships PingFang"},
}
DEBIAN_HINTS = {"pango": "apt-get install libpango-1.0-0 libpangoft2-1.0-0",
                "subset": "apt-get install libharfbuzz-subset0", "font": "apt-get install fonts-noto-cjk"}


def hint(what: str) -> str:
    return HINTS.get(platform.system(), DEBIAN_HINTS)[what]


@dataclass(frozen=True)
class Check:
    name: str
    value: str
    ok: bool  # False: a Chinese PDF cannot be made correctly
    warning: str = ""


def _weasyprint() -> list[Check]:
    from .font_embedding import shortcuts_state
    from .pdf_streams import streams_state
    from .weasy import load, prebuilt_state

    try:
        weasyprint = load()
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset, pango
    except (ImportError, OSError) as error:
        return [Check("WeasyPrint", f"cannot load: {error}", False, hint("pango"))]
    number = pango.pango_version()
    pango_version = f"{number // 10000}.{number // 100 % 100}.{number % 100}"
    # WeasyPrint's own rule (pdf/fonts.py): HarfBuzz subsetting when the library is there
    # and HarfBuzz is 4.1 or newer, else fontTools, which is far slower on a CJK font.
    fast = harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))
    subsetting = ("HarfBuzz (libharfbuzz-subset)" if fast
                  else "fontTools (slow fallback: about 40x slower on a CJK font)")
    return [
        Check("WeasyPrint", weasyprint.__version__, True),
        Check("Pango", pango_version, True),
        Check("font subsetting", subsetting, True, "" if fast else hint("subset")),
        # prebuilt: cffi's declarations of Pango & co. read from the cache (see render/weasy.py)
        Check("C declarations", prebuilt_state(), True),
        Check("font embedding", shortcuts_state(), True),
        Check("PDF streams", streams_state(), True),
    ]


def run_checks() -> list[Check]:
    checks = [Check("Python", platform.python_version(), True), *_weasyprint()]
    fonts = cjk_fonts()
    if fonts is None:
        checks.append(Check("CJK fonts", "cannot tell (no fc-list, no known font folder)", True, hint("font")))
    else:
        checks.append(Check("CJK fonts", ", ".join(fonts) if fonts else "none found", bool(fonts),
                            "" if fonts else hint("font")))
    return checks
