"""Two costs of WeasyPrint's font embedding, taken out where the result is the same bytes.

A Chinese charter is set in a CJK face of 65,535 glyphs in a 20 MB font file, and WeasyPrint
(pdf/fonts.py) pays for that size in every PDF:

- Each `Font` copies the whole font file out of HarfBuzz (`get_hb_object_data`), although a
  subset font never reads the copy. Here the copies made for `Font`s are kept (up to a bound,
  least recently used out first) and shared: a font file does not change while HarfBuzz holds
  it. A process's fonts are those of its font configuration (one per unit, render/pdf.py).
- `Font._harfbuzz_subset` subsets twice: keeping the used glyphs at their ids, then keeping
  every id up to the last used one, which drops the glyphs HarfBuzz's layout closure added
  after it, the hinting (unless asked to keep it), an empty cmap and the tables HarfBuzz does
  not know. Each pass over a CJK face builds tens of thousands of (empty) glyphs. For a CFF font
  made only of the tables a CJK font has (Noto Sans CJK, Source Han Sans) the first pass can
  drop the hinting itself and the second changes nothing else, unless glyphs were added after
  the last used one (then it is made) or no used glyph has a character (then WeasyPrint's own
  two passes are). Other fonts keep WeasyPrint's two passes.

Together they were a quarter of a Chinese charter's PDF. The PDFs are the same bytes either way
(tests/render/test_speed_paths.py, checked with HarfBuzz 6.0: every bundled example, characters no font
has, unit fonts with tables HarfBuzz does not know or glyphs no character reaches). They are put
in only over the very functions they were checked against (by their source's hash), so another
WeasyPrint keeps its own; CHARTER_NO_FONT_SHORTCUTS switches both off.
"""

from __future__ import annotations

import contextvars
import hashlib
import inspect
import os
import threading
from collections import OrderedDict

# sha256 of WeasyPrint 70's functions that these shortcuts were checked against.
_CHECKED = {"_harfbuzz_subset": "f80805663ede8080a3e1ffff831e20c74bd25fa3b8e4410334ba807158dc685f",
            "get_hb_object_data": "03040a623df04c2b5fe464037e14b07fe430fd1ec43602abf955fdf3fbe77ea6"}
# The tables WeasyPrint drops from an embedded font (in tag order, as HarfBuzz's sorted sets want).
_DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")
# The tables of Noto Sans/Serif CJK and Source Han (and DSIG, dropped): a font with any other gets two passes.
_ONE_PASS_TABLES = {"BASE", "CFF ", "DSIG", "GDEF", "GPOS", "GSUB", "OS/2", "VORG", "cmap", "head", "hhea", "hmtx",
                    "maxp", "name", "post", "vhea", "vmtx"}
# Whole font files worth keeping (copying less than this costs little), and how much of them to keep:
# the regular and bold faces of one CJK family, and room for a third.
_KEPT_FROM = 1 << 20
_KEPT_AT_MOST = 64 << 20
_making_font = contextvars.ContextVar("making_font", default=False)
_state = {"fonts": "WeasyPrint's own (not loaded)"}


def _add_sorted(hb_set, values) -> None:
    from weasyprint.text.ffi import ffi, harfbuzz

    values = tuple(values)
    harfbuzz.hb_set_add_sorted_array(hb_set, ffi.new(f"hb_codepoint_t[{len(values)}]", values), len(values))


def _subset_once(original):
    from weasyprint.text.ffi import ffi, harfbuzz
    from weasyprint.text.ffi import harfbuzz_subset as hb
    from weasyprint.text.fonts import get_hb_object_data

    def subset(font, to_unicode, hinting) -> None:
        if "CFF " not in font.tables or not _ONE_PASS_TABLES.issuperset(font.tables):
            return original(font, to_unicode, hinting)
        hb_input = ffi.gc(hb.hb_subset_input_create_or_fail(), hb.hb_subset_input_destroy)
        glyphs = hb.hb_subset_input_glyph_set(hb_input)
        _add_sorted(glyphs, sorted(to_unicode))
        _add_sorted(hb.hb_subset_input_set(hb_input, hb.HB_SUBSET_SETS_DROP_TABLE_TAG),
                    (harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROPPED_TABLES))
        flags = hb.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | hb.HB_SUBSET_FLAGS_DESUBROUTINIZE
        if not hinting:
            flags |= hb.HB_SUBSET_FLAGS_NO_HINTING
        if font.missing:
            flags |= hb.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
        hb.hb_subset_input_set_flags(hb_input, flags | hb.HB_SUBSET_FLAGS_RETAIN_GIDS)
        face = ffi.gc(hb.hb_subset_or_fail(font.hb_face, hb_input), harfbuzz.hb_face_destroy)
        last_used = max(to_unicode)
        if face and harfbuzz.hb_face_get_glyph_count(face) > last_used + 1:
            # The layout closure added glyphs after the last used one: WeasyPrint's second pass drops them.
            _add_sorted(glyphs, range(last_used + 1))
            hb.hb_subset_input_set_flags(hb_input, flags)
            face = ffi.gc(hb.hb_subset_or_fail(face, hb_input), harfbuzz.hb_face_destroy)
        if not face or _empty_cmap(face):
            # WeasyPrint's own: it warns and keeps the whole font, or its second pass drops the empty cmap
            return original(font, to_unicode, hinting)
        font.file_content = get_hb_object_data(face)

    return subset


def _empty_cmap(face) -> bool:
    from weasyprint.text.ffi import ffi, harfbuzz

    cmap = ffi.gc(harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(b"cmap", -1)),
                  harfbuzz.hb_blob_destroy)
    return harfbuzz.hb_blob_get_length(cmap) <= 4  # a version and no encoding record


def _making_fonts(init):
    """Font.__init__ marked, so that only the whole font files it copies are kept (not subsets)."""
    def make(*args, **kwargs):
        token = _making_font.set(True)
        try:
            init(*args, **kwargs)
        finally:
            _making_font.reset(token)

    return make


class _KeptFontFiles:
    """get_hb_object_data that keeps the big font files it copies for a Font, least recently used out first.

    Keyed by where the file's bytes are and how many: a reference to the blob is kept with the
    copy, so that memory cannot be freed and reused by another font while the key stands."""

    def __init__(self, read):
        self._read = read
        self._kept: OrderedDict[tuple[int, int], tuple[object, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, hb_object, ot_color=None, glyph=None):
        from weasyprint.text.ffi import ffi, harfbuzz

        if ot_color is not None or not _making_font.get():
            return self._read(hb_object, ot_color, glyph)
        blob = ffi.gc(harfbuzz.hb_face_reference_blob(hb_object), harfbuzz.hb_blob_destroy)
        length = harfbuzz.hb_blob_get_length(blob)
        if length < _KEPT_FROM:
            return self._read(hb_object)
        key = (int(ffi.cast("uintptr_t", harfbuzz.hb_blob_get_data(blob, ffi.NULL))), length)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key][1]
        content = self._read(hb_object)
        if content is not None:
            with self._lock:
                self._kept[key] = (blob, content)
                while self.size() > _KEPT_AT_MOST:
                    self._kept.popitem(last=False)
        return content

    def size(self) -> int:
        return sum(len(content) for _, content in self._kept.values())

    def __len__(self) -> int:
        return len(self._kept)


def _unchanged(function, name: str) -> bool:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return hashlib.sha256(source.encode()).hexdigest() == _CHECKED[name]


def install() -> None:
    """Put the shortcuts in WeasyPrint (imported) where its own functions are the ones checked."""
    from weasyprint.pdf import fonts

    if os.environ.get("CHARTER_NO_FONT_SHORTCUTS"):
        _state["fonts"] = "WeasyPrint's own (shortcuts switched off)"
        return
    installed = []
    if _unchanged(fonts.Font._harfbuzz_subset, "_harfbuzz_subset"):
        fonts.Font._harfbuzz_subset = _subset_once(fonts.Font._harfbuzz_subset)
        installed.append("one subsetting pass for CFF fonts")
    if _unchanged(fonts.get_hb_object_data, "get_hb_object_data"):
        fonts.get_hb_object_data = _KeptFontFiles(fonts.get_hb_object_data)
        fonts.Font.__init__ = _making_fonts(fonts.Font.__init__)
        installed.append("font files read once")
    _state["fonts"] = ", ".join(installed) or "WeasyPrint's own (its code differs from the one checked)"


def shortcuts_state() -> str:
    return _state["fonts"]
