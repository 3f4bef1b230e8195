"""PDF streams compressed at zlib's default level (6), not at pydyf's 9.

pydyf, WeasyPrint's PDF writer, compresses every stream at level 9. A Chinese charter's largest
streams are its two CJK font subsets, about 800 KB each before compression (mostly the empty
glyphs that keep each glyph's id), and there level 9 takes twice as long as level 6 for a file
0.2 % smaller: a twentieth of a charter's and a poster's time, for no difference a reader sees.

Put in only over the pydyf code it was checked against (the source of `Stream.data`); another
pydyf compresses as it does.
"""

from __future__ import annotations

import hashlib
import inspect
import types
import zlib

LEVEL = 6
# sha256 of pydyf 0.13's Stream.data, which calls zlib.compressobj(level=9) through its module's `zlib`.
_CHECKED = "bdc2bc513f286de7b7a7220a43e6085daa6ed0056d9c04e3c9b5abe40f3ecf81"


_state = {"streams": "pydyf's own, level 9 (not loaded)"}


def install() -> None:
    import pydyf

    try:
        source = inspect.getsource(pydyf.Stream.data.fget)
    except (OSError, TypeError, AttributeError):
        source = ""
    if hashlib.sha256(source.encode()).hexdigest() != _CHECKED:
        _state["streams"] = "pydyf's own, level 9 (its code differs from the one checked)"
        return
    # pydyf's module-level name `zlib`, seen by Stream.data only: the zlib module itself is untouched
    pydyf.zlib = types.SimpleNamespace(compress=zlib.compress,
                                       compressobj=lambda level=LEVEL, **options: zlib.compressobj(LEVEL))
    _state["streams"] = f"zlib level {LEVEL}"


def streams_state() -> str:
    return _state["streams"]
