"""The only way a PDF render reaches outside its HTML: files under the template asset folders."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from ..core.files import TooLarge, read_limited

MAX_BYTES = 20_000_000  # a font or a picture of a letterhead


class AssetFetcher(URLFetcher):
    """Serves files inside the given folders; refuses the network, data: URLs and every other file.

    User text is escaped before it reaches the HTML, so this is the second wall: even a
    template that asks for file:///etc/passwd or http://… gets nothing.
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=1)
        self.roots = [Path(root).resolve() for root in roots]
        # WeasyPrint draws without a file it cannot fetch; one refused for its size is the unit's
        # mistake (a font too big), which the render reports rather than silently going without.
        self.too_large: list[Path] = []

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
            self.too_large.append(path)
            raise URLFetchingError(f"larger than {MAX_BYTES} bytes: {path}") from None
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=body, headers={"Content-Type": content_type})
