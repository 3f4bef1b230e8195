"""The printable PDF, made by WeasyPrint from the charter's HTML.

WeasyPrint is imported here only, when a PDF is asked for, so the CLI starts fast and the
other formats work on a machine without Pango. A machine that cannot make a correct PDF (no
Pango, no CJK font for a Chinese charter) gets a MachineError naming `charter doctor`.

Importing WeasyPrint takes as long as everything else a `charter render` does before it
needs it (reading and checking the answers, building the HTML). `start_renderer()` forks a
child that imports it meanwhile, on the other core, and then makes the PDFs it is sent;
where there is no fork (Windows) or it is switched off, the PDF is made in-process.
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import shutil
import signal
import struct
import subprocess
from functools import cache
from pathlib import Path

# Imports of charter's own modules are inside the functions: start_renderer() runs before
# anything else is loaded, so that the child begins at once (limits imports nothing of charter's).
from . import limits

_CHILD_GRACE_SECONDS = 15


# Font files of the Chinese faces Windows and macOS ship, for machines without fontconfig's fc-list.
_CJK_FILES = {"msyh": "Microsoft YaHei", "msyhbd": "Microsoft YaHei", "simsun": "SimSun", "simhei": "SimHei",
              "simfang": "FangSong", "simkai": "KaiTi", "deng": "DengXian", "pingfang": "PingFang SC",
              "stheiti": "Heiti SC", "songti": "Songti SC", "notosanscjk": "Noto Sans CJK",
              "notoserifcjk": "Noto Serif CJK", "sourcehansans": "Source Han Sans"}


def _font_folders() -> list[Path]:
    folders = [Path(os.environ.get("WINDIR", "C:\\Windows")) / "Fonts", Path("/Library/Fonts"),
               Path("/System/Library/Fonts"), Path.home() / "Library" / "Fonts"]
    if os.environ.get("LOCALAPPDATA"):
        folders.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
    return [folder for folder in folders if folder.is_dir()]


@cache
def cjk_fonts() -> tuple[str, ...] | None:
    """The font families offered for Chinese: from fontconfig where there is fc-list, else from the
    font files of the system's font folders (Windows, macOS); None when neither can tell."""
    if shutil.which("fc-list"):
        listing = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                                 check=False).stdout
        return tuple(sorted({line.split(",")[0].strip() for line in listing.splitlines() if line.strip()}))
    folders = _font_folders()
    if not folders:
        return None
    found = {family for folder in folders for path in folder.iterdir()
             for stem, family in _CJK_FILES.items() if path.name.lower().replace("-", "").startswith(stem)}
    return tuple(sorted(found))


def _weasyprint(lang: str):
    from ..core.errors import MachineError
    from .weasy import load

    try:
        return load()
    except (ImportError, OSError) as error:
        raise MachineError(lang, "renderer_missing", detail=str(error).splitlines()[0][:160]) from None


def _assets_state(asset_roots: tuple[Path, ...]) -> tuple:
    """Each file under the unit's asset folders, with its size and modification time."""
    state = []
    for root in asset_roots:
        for folder, _, names in os.walk(root):
            for name in names:
                try:
                    info = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                state.append((folder, name, info.st_size, info.st_mtime_ns))
    return tuple(sorted(state))


# asset roots -> (their files' state, the font configuration made from them)
_font_configs: dict[tuple[Path, ...], tuple[tuple, object]] = {}
_released_at_exit_by: int | None = None


def _font_config(asset_roots: tuple[Path, ...]):
    """One font configuration per unit while its asset files are unchanged, for the life of the process
    (a batch worker, the web server): the fonts it has loaded are loaded once, and the PDFs are the
    same bytes. Per unit, so that one unit's @font-face never reaches another unit's charter; anew
    when a file changes, since WeasyPrint never reads a font face again once it holds a copy (a font
    swapped, or grown past its limit, while the server runs would go unnoticed)."""
    import multiprocessing.util

    from weasyprint.text.fonts import FontConfiguration

    global _released_at_exit_by
    if _released_at_exit_by != os.getpid():  # once in each process, forked ones too: see release_font_configs
        multiprocessing.util.Finalize(None, release_font_configs, exitpriority=0)
        _released_at_exit_by = os.getpid()
    state = _assets_state(asset_roots)
    kept = _font_configs.get(asset_roots)
    if kept is None or kept[0] != state:
        kept = _font_configs[asset_roots] = (state, FontConfiguration())
    return kept[1]


def release_font_configs() -> None:
    """Let WeasyPrint remove the folders it copies a unit's @font-face fonts to. It does so when a font
    configuration is freed, which a process that ends with os._exit never does: multiprocessing's
    workers (batch, web), which run the finalizers registered as above, and the renderer child."""
    import gc

    _font_configs.clear()
    gc.collect()  # a configuration is in reference cycles


def _render_here(html: str, lang: str, base_dir: Path | None, asset_roots: tuple[Path, ...],
                 variant: str | None = None) -> bytes:
    from ..core.errors import MachineError, input_error
    from ..core.resources import templates_dir

    weasyprint = _weasyprint(lang)
    if lang == "zh" and cjk_fonts() == ():
        raise MachineError(lang, "cjk_font_missing")
    from .fetcher import AssetFetcher  # after load(): it imports from weasyprint

    builtin = templates_dir()
    base = (base_dir or builtin).resolve().as_uri() + "/"
    fetcher = AssetFetcher([*asset_roots, builtin])
    try:
        # HTML.write_pdf in its two steps, so that the pages are counted before they are written
        with limits.deadline():
            page = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher)
            document = page.render(font_config=_font_config(asset_roots), pdf_variant=variant)
            if len(document.pages) > limits.MAX_PAGES:
                raise _past_limit(lang, "render_pages", base_dir, asset_roots, pages=len(document.pages))
            pdf = document.write_pdf(pdf_variant=variant)
    except limits.Overrun:
        raise _past_limit(lang, "render_time", base_dir, asset_roots) from None
    except MemoryError:
        raise _past_limit(lang, "render_memory", base_dir, asset_roots) from None
    except RecursionError:  # WeasyPrint lays out nested boxes recursively: a thousand nested <div>s
        raise _past_limit(lang, "render_nesting", base_dir, asset_roots) from None
    if fetcher.too_complex:
        raise input_error(lang, "svg_too_complex", source=str(fetcher.too_complex[0]), limit=limits.MAX_SVG_ELEMENTS)
    if fetcher.too_large:
        path, size, limit = fetcher.too_large[0]
        raise input_error(lang, "too_large", source=str(path), size=size, limit=limit)
    return pdf


def _past_limit(lang: str, key: str, base_dir: Path | None, asset_roots: tuple[Path, ...], **values):
    """A render stopped at one of its limits (with each limit's figure for the message), as bad input
    naming the unit's files most likely the cause (a charter of the built-in templates reaches them
    only with answers past their caps)."""
    from ..core.errors import input_error
    from ..core.i18n import text

    named = limits.suspects(base_dir, asset_roots)
    cause = text(lang, "errors.render_suspects", files="、".join(named) if lang == "zh" else ", ".join(named)) \
        if named else text(lang, "errors.render_answers")
    return input_error(lang, key, cause=cause, seconds=f"{limits.SECONDS:g}", mb=limits.MEMORY_BYTES >> 20,
                       limit=limits.MAX_PAGES, **values)


def _send(fd: int, message) -> None:
    data = pickle.dumps(message)
    view = memoryview(struct.pack("!Q", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int):
    """The next message, or None when the other end has closed."""
    def exactly(size: int) -> bytes | None:
        chunks, left = [], size
        while left:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    head = exactly(8)
    body = head and exactly(struct.unpack("!Q", head)[0])
    return None if body is None else pickle.loads(body)


class _Renderer:
    """A forked child that imports WeasyPrint at once and then makes each PDF it is sent."""

    def __init__(self):
        self.ended = False
        requests_read, self._requests = os.pipe()
        self._replies, replies_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: serve until the parent closes the pipe, then leave quietly
            os.close(self._requests)
            os.close(self._replies)
            try:
                _serve(requests_read, replies_write)
            finally:
                os._exit(0)
        os.close(requests_read)
        os.close(replies_write)

    def render(self, *request) -> bytes:
        _, lang, base_dir, asset_roots, _ = request
        _send(self._requests, request)
        # The child stops itself at the time limit; this bound is for a child stuck where its own
        # timer cannot reach it (inside a C library): it is killed, and the PDF is not made.
        if not select.select([self._replies], [], [], limits.SECONDS + _CHILD_GRACE_SECONDS)[0]:
            self._end()
            raise _past_limit(lang, "render_time", base_dir, asset_roots)
        reply = _receive(self._replies)
        if reply is None:
            if os.WIFSIGNALED(self._end()):  # killed: by the kernel for memory, or aborted by a library
                raise _past_limit(lang, "render_memory", base_dir, asset_roots)
            raise RuntimeError("the PDF renderer process ended unexpectedly")
        status, payload = reply
        if status == "ok":
            return payload
        raise payload  # bad input or a machine's lack, whole; anything else as a RuntimeError naming it

    def _end(self) -> int:
        """Stop the child (if it has not ended) and return how it ended; later PDFs are made in-process."""
        self.ended = True
        os.kill(self.pid, signal.SIGKILL)
        return os.waitpid(self.pid, 0)[1]

    def close(self) -> None:
        for fd in (self._requests, self._replies):
            os.close(fd)
        if not self.ended:
            os.waitpid(self.pid, 0)


def _serve(requests: int, replies: int) -> None:
    from ..core.errors import InputError, MachineError

    try:
        _weasyprint("zh")  # the import this child is for; a failure is reported with the first request
    except MachineError:
        pass
    limits.cap_memory()
    while (request := _receive(requests)) is not None:
        try:
            _send(replies, ("ok", _render_here(*request)))
        except (InputError, MachineError) as error:  # they pickle whole (core/errors.py)
            _send(replies, ("raised", error))
        except Exception as error:  # reported to the parent, which raises it there
            _send(replies, ("raised", RuntimeError(f"{type(error).__name__}: {error}")))
    release_font_configs()


_renderer: _Renderer | None = None


def start_renderer() -> None:
    """Begin importing WeasyPrint in a child process, for the PDFs this process will make."""
    global _renderer
    if _renderer is None and hasattr(os, "fork") and not os.environ.get("CHARTER_NO_PREFORK"):
        _renderer = _Renderer()
        atexit.register(_renderer.close)


# Archival and accessible PDFs, as WeasyPrint makes them (pdf/ua-1 is tagged).
PDF_VARIANTS = ("pdf/a-2b", "pdf/a-3b", "pdf/ua-1")


def render_pdf(html: str, lang: str, base_dir: Path | None = None, asset_roots: tuple[Path, ...] = (),
               variant: str | None = None) -> bytes:
    """The PDF of html (optionally one of PDF_VARIANTS). Relative URLs resolve against base_dir;
    only files under asset_roots and the built-in templates can be read."""
    if _renderer is not None and not _renderer.ended:
        return _renderer.render(html, lang, base_dir, tuple(asset_roots), variant)
    return _render_here(html, lang, base_dir, tuple(asset_roots), variant)
