"""Importing WeasyPrint without its slow library search.

WeasyPrint tries several names for each native library; for every name that is not a
file name, cffi falls back to ctypes.util.find_library, which on Linux starts `ldconfig -p`
(and gcc) anew each time: about twenty processes, a fifth of a second of every `charter
render`. Here the ldconfig listing is read once and answers those look-ups the way
find_library would (same name pattern, same ABI); elsewhere nothing changes.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import os
import platform
import re
import shutil
import subprocess

_ABI = {"x86_64": "libc6,x86-64", "aarch64": "libc6,AArch64"}


@contextlib.contextmanager
def _cached_find_library():
    ldconfig = shutil.which("ldconfig") or next(
        (p for p in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if os.path.exists(p)), None)
    abi = _ABI.get(platform.machine())
    if not ldconfig or not abi or platform.system() != "Linux" or os.environ.get("LD_LIBRARY_PATH"):
        yield
        return
    listing = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, check=False).stdout

    def find_library(name: str) -> str | None:
        found = re.search(rf"\s+(lib{re.escape(name)}\.\S+)\s+\({re.escape(abi)}", listing)
        return found.group(1) if found else None

    original, ctypes.util.find_library = ctypes.util.find_library, find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


def load():
    """The weasyprint module, imported once."""
    with _cached_find_library():
        import weasyprint
    return weasyprint
