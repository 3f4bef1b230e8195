"""What every response carries and every request must show.

A strict Content-Security-Policy (scripts and styles only from the app's own static files,
never inline; no framing), nosniff and no referrer on every response; a Host header the
server was started for (a page on another site cannot reach a loopback server by DNS
rebinding); and, when a password is set, HTTP basic auth on every request: anyone who can
reach a server on a LAN address could otherwise write or dissolve groups.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from ...core.errors import input_error
from ...core.i18n import environment_lang

PASSWORD_VARIABLE = "CHARTER_SERVE_PASSWORD"
MAX_PASSWORD_BYTES = 4096
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
               "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# A preview is the charter's own HTML (its style inline, its images embedded), shown in the form's
# frame only: no script at all, sandboxed even when opened on its own.
PREVIEW_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                  "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox")
_WILDCARDS = {"0.0.0.0", "::", ""}
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Access:
    """Who may use the server: the address it listens on, further host names, the password."""
    host: str = "127.0.0.1"
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    password: str | None = None

    def allows_host(self, header: str) -> bool:
        name = host_name(header)
        if name in _LOCAL_NAMES or name == self.host.lower() or name in self.allowed_hosts:
            return True
        # Listening on every address, the machine is reached by whichever of its addresses a
        # colleague types; an address typed as numbers cannot be re-pointed by DNS.
        return self.host in _WILDCARDS and _is_ip(name)

    def allows_password(self, given: str | None) -> bool:
        if self.password is None:
            return True
        return given is not None and hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8"))


def host_name(header: str) -> str:
    """The host of a Host header, without its port or IPv6 brackets, in lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def password_from(path: Path | None) -> str | None:
    """The password: the first line of the file, else the environment variable; None for neither.
    Only the first line is read, and only so far: /dev/zero or a huge file named by mistake has no end."""
    if path is not None:
        lang = environment_lang()
        try:
            with open(path, "rb") as stream:  # may be a pipe, as from <(pass show charter)
                line = stream.readline(MAX_PASSWORD_BYTES + 1).rstrip(b"\r\n")
        except OSError as error:
            raise input_error(lang, "unreadable", field="--password-file", detail=error.strerror or str(error)) \
                from None
        if len(line) > MAX_PASSWORD_BYTES:
            raise input_error(lang, "password_too_long", field="--password-file", limit=MAX_PASSWORD_BYTES)
        try:
            password = line.decode("utf-8-sig").strip()  # Notepad saves a BOM first
        except UnicodeDecodeError:
            raise input_error(lang, "not_utf8", field="--password-file") from None
        return password or None
    return os.environ.get(PASSWORD_VARIABLE) or None


def secure_headers(response, preview: bool) -> None:
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY if preview else PAGE_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN" if preview else "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
