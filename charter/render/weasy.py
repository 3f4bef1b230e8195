"""Importing WeasyPrint fast: without its slow library search, and without parsing its C declarations.

Two thirds of a `charter render` used to be importing WeasyPrint, and most of that was two
things done anew by every process:

- For each native library WeasyPrint tries several names; for every name that is not a file
  name, cffi falls back to ctypes.util.find_library, which on Linux starts `ldconfig -p` (and
  gcc) anew each time: about twenty processes. Here the ldconfig listing is read once and
  answers those look-ups the way find_library would (same name pattern, same ABI).
- `weasyprint.text.ffi` hands cffi about 450 lines of C declarations, which cffi parses with
  pycparser at every import. cffi can save the parsed declarations as an "out-of-line ABI"
  module (plain Python, no C compiler); it is built once per WeasyPrint, cffi and Python,
  kept in the user cache folder, and handed to WeasyPrint in place of a fresh FFI(). Should
  anything differ (the declarations, a version, a broken cache file), WeasyPrint gets an
  ordinary FFI() and parses its declarations itself: slower, never wrong.

`prebuilt_state()` says which path the last load took, for `charter doctor`.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes.util
import hashlib
import importlib.util
import io
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

_ABI = {"x86_64": "libc6,x86-64", "aarch64": "libc6,AArch64"}
_state = {"ffi": "not loaded"}


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


def _declarations(ffi_source: str) -> str | None:
    """The C declarations weasyprint.text.ffi passes to ffi.cdef (one string literal), read from its source."""
    calls = [node for node in ast.walk(ast.parse(ffi_source))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "cdef"]
    if len(calls) != 1 or not calls[0].args or not isinstance(calls[0].args[0], ast.Constant) \
            or not isinstance(calls[0].args[0].value, str):
        return None
    return calls[0].args[0].value


def cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("charter", appauthor=False)) / "weasyprint-ffi"


def _prebuilt_ffi(declarations: str):
    """cffi's out-of-line ABI module for these declarations: loaded from the cache, built there first if new."""
    import cffi

    key = hashlib.sha256("\0".join([declarations, cffi.__version__, sys.version]).encode()).hexdigest()[:20]
    name = f"_charter_weasyprint_ffi_{key}"
    path = cache_dir() / f"{name}.py"
    if not path.is_file():
        builder = cffi.FFI()
        builder.cdef(declarations)
        builder.set_source(name, None)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{name}.{os.getpid()}.tmp")
        with contextlib.redirect_stdout(io.StringIO()):  # cffi says "generating …"
            builder.emit_python_code(str(temporary))
        os.replace(temporary, path)  # a half-written module is never seen under its name
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # a .py file always has a loader
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        return module.ffi
    except Exception:
        path.unlink(missing_ok=True)  # a damaged cache file is built anew next time
        raise


class _PrebuiltFFI:
    """What `cffi.FFI()` returns to weasyprint.text.ffi: the prebuilt declarations when its cdef
    is the one they were built from, else an ordinary FFI that parses what it is given."""

    def __init__(self, prebuilt, declarations: str, ordinary):
        self._target = prebuilt
        self._declarations = declarations
        self._ordinary = ordinary  # cffi's own FFI class: cffi.FFI is this class's stand-in meanwhile

    def cdef(self, source: str, *args, **kwargs) -> None:
        if source != self._declarations or args or kwargs:
            self._target = self._ordinary()
            self._target.cdef(source, *args, **kwargs)
            _state["ffi"] = "parsed (WeasyPrint's declarations differ from the prebuilt module)"
            self.__dict__ = {"_target": self._target, "_declarations": self._declarations,
                             "_ordinary": self._ordinary}

    def __getattr__(self, name: str):
        # Kept on the instance: WeasyPrint calls ffi.new, ffi.string … thousands of times a page.
        value = self.__dict__[name] = getattr(self._target, name)
        return value


@contextlib.contextmanager
def _prebuilt_declarations():
    """While WeasyPrint is imported, cffi.FFI() gives it the prebuilt declarations if they can be had."""
    try:
        import cffi

        # the file, found without importing the weasyprint package (find_spec of a submodule would)
        spec = importlib.util.find_spec("weasyprint")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("weasyprint")
        package = spec.submodule_search_locations[0]
        declarations = _declarations((Path(package) / "text" / "ffi.py").read_text("utf-8"))
        prebuilt = _prebuilt_ffi(declarations) if declarations else None
    except Exception as error:  # any trouble with the cache: WeasyPrint parses its own, as it always could
        _state["ffi"] = f"parsed (no prebuilt module: {type(error).__name__})"
        yield
        return
    if prebuilt is None or declarations is None:  # (prebuilt is None whenever declarations is)
        _state["ffi"] = "parsed (WeasyPrint's declarations could not be read)"
        yield
        return
    _state["ffi"] = f"prebuilt ({cache_dir()})"
    original = cffi.FFI
    cffi.FFI = lambda *args, **kwargs: _PrebuiltFFI(prebuilt, declarations, original)
    try:
        yield
    finally:
        cffi.FFI = original


def load(prebuilt: bool = True):
    """The weasyprint module, imported once; `prebuilt=False` imports it the ordinary way."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    declarations = _prebuilt_declarations() if prebuilt and not os.environ.get("CHARTER_NO_PREBUILT_FFI") \
        else contextlib.nullcontext()
    if not prebuilt or os.environ.get("CHARTER_NO_PREBUILT_FFI"):
        _state["ffi"] = "parsed (prebuilt module switched off)"
    with _cached_find_library(), declarations:
        import weasyprint
    from . import font_embedding, limits, pdf_streams

    font_embedding.install()
    pdf_streams.install()
    limits.guard_pictures()
    # fontTools stamps a font it saves (WeasyPrint's emoji fonts) with the time, unless told a time
    # this way: the same answers must give the same PDF bytes.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    return weasyprint


def prebuilt_state() -> str:
    return _state["ffi"]
