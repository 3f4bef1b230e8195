"""LibreOffice, headless, as the office that opens charter.docx: how many pages it really runs to.

Only an office lays out a Word file; `unit check` asks LibreOffice (Debian's
libreoffice-writer-nogui) when it is installed, to find a unit's Word template whose page
leaves too little room for the charter. Each run gets a profile of its own in a throwaway
folder, so that runs side by side (and a desktop LibreOffice the user has open) do not
collide; all files go through one soffice process, which costs seconds to start.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import zlib
from pathlib import Path

TIMEOUT = 180  # seconds for one soffice run: it starts in 2–3, converts a charter in well under 1


def office() -> str | None:
    """The LibreOffice command, if this machine has one."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def converted(files: dict[str, bytes], target: str) -> dict[str, bytes]:
    """Each file as LibreOffice converts it (`target`: "pdf", "csv", a filter as soffice takes it),
    by name; a file it could not convert is left out, and all are without LibreOffice."""
    command = office()
    if command is None or not files:
        return {}
    suffix = target.split(":")[0]
    with tempfile.TemporaryDirectory(prefix="charter-office-") as work:
        folder = Path(work)
        sources = []
        for index, (name, data) in enumerate(files.items()):
            source = folder / f"{index}{Path(name).suffix}"  # soffice names its output after the input
            source.write_bytes(data)
            sources.append(source)
        _run([command, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
              "--convert-to", target, "--outdir", str(folder / "out"), *map(str, sources)])
        results = {}
        for name, source in zip(files, sources):
            output = folder / "out" / f"{source.stem}.{suffix}"
            if output.is_file():
                results[name] = output.read_bytes()
        return results


def _run(command: list[str]) -> None:
    """soffice in a session of its own, so that a hung run is ended whole (it starts a second process)."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b[^>]*>>\s*stream\r?\n(.*?)endstream", re.S)


def pdf_pages(data: bytes) -> int | None:
    """The page count of a PDF (the page tree root's /Count, the largest), also when its objects
    are packed in compressed object streams as WeasyPrint's are; None if none is found."""
    bodies = [data]
    for packed in _OBJECT_STREAM.findall(data):
        try:
            bodies.append(zlib.decompress(packed))
        except zlib.error:
            continue
    counts = [int(a or b) for body in bodies for a, b in _COUNT.findall(body)]
    return max(counts, default=None)
