"""The cached library look-up answers as ctypes.util.find_library would."""

from __future__ import annotations

import ctypes.util

from charter.render.weasy import _cached_find_library

# Every name WeasyPrint 70 tries on Linux, found or not.
NAMES = ["libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libpango-1.0-0", "pango-1.0-0", "pango-1.0",
         "libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz-subset-0", "harfbuzz-subset",
         "harfbuzz-vector", "harfbuzz-vector-0.0", "libfontconfig-1", "fontconfig-1", "fontconfig",
         "pangoft2-1.0-0", "pangoft2-1.0"]


def test_cached_look_up_matches_find_library():
    expected = {name: ctypes.util.find_library(name) for name in NAMES}
    original = ctypes.util.find_library
    with _cached_find_library():
        cached = {name: ctypes.util.find_library(name) for name in NAMES}
    assert ctypes.util.find_library is original
    assert cached == expected
    assert expected["pango-1.0"] and expected["harfbuzz-subset"]  # the test means something here
