"""The only way a PDF render reaches outside its HTML: files under the template asset folders."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from ..core.files import TooLarge, read_limited
from .limits import MAX_SVG_ELEMENTS, too_costly_picture

MAX_BYTES = 32_000_000  # a font (Noto Serif CJK is 27 MB) or a picture of a letterhead
# All files of one render together: a template naming one big font in a hundred @font-face rules
# would otherwise have WeasyPrint copy it a hundred times to its temporary folder.
MAX_RENDER_BYTES = 128_000_000


class AssetFetcher(URLFetcher):
    """Serves files inside the given folders; refuses the network, data: URLs and every other file.

    User text is escaped before it reaches the HTML, so this is the second wall: even a
    template that asks for file:///etc/passwd or http://… gets nothing.
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=1)
        self.roots = [Path(root).resolve() for root in roots]
        # WeasyPrint draws without a file it cannot fetch; one refused for its size is the unit's
        # mistake (a font too big), which the render reports rather than silently going without:
        # (the file, its size as told, the limit).
        self.too_large: list[tuple[Path, str, int]] = []
        self.fetched = 0
        self.too_complex: list[Path] = []  # SVG pictures refused, which layout would take minutes over

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise URLFetchingError(f"charter serves only its template assets, not {url[:80]}")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise URLFetchingError(f"not a template asset: {path}")
        try:
            body = read_limited(path, MAX_BYTES)
        except TooLarge:
            self.too_large.append((path, f"> {MAX_BYTES}", MAX_BYTES))
            raise URLFetchingError(f"larger than {MAX_BYTES} bytes: {path}") from None
        self.fetched += len(body)
        if self.fetched > MAX_RENDER_BYTES:
            self.too_large.append((path, str(self.fetched), MAX_RENDER_BYTES))
            raise URLFetchingError(f"more than {MAX_RENDER_BYTES} bytes of files in one render: {path}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if too_costly_picture(body):
            self.too_complex.append(path)
            raise URLFetchingError(f"an SVG picture of more than {MAX_SVG_ELEMENTS} elements: {path}")
        return URLFetcherResponse(path.as_uri(), body=body, headers={"Content-Type": content_type})
