"""Serving the app with waitress: bound against slow clients, stopped cleanly when told.

waitress closes a connection only after two idle minutes, and one that sends a byte now and then
is never idle: 150 connections sending a request header slowly (slowloris) filled its 100 places,
and everyone else waited, before any password was asked. Here a request must arrive whole within
REQUEST_SECONDS of its first byte, an idle connection goes after IDLE_SECONDS, and there are
places for many more connections than threads.
"""

from __future__ import annotations

import errno
import signal

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from ...core.errors import input_error
from ...core.i18n import environment_lang
from .app import MAX_REQUEST_BYTES

# A request's header and body (1 MB at most) from a phone on a poor line, from its first byte.
REQUEST_SECONDS = 30
IDLE_SECONDS = 30
# Each connection is a descriptor or two (a body over 512 KB goes to a temporary file), which
# waitress watches with poll(): select() takes descriptors numbered below 1,024 only, and 600
# connections each sending a large body once took the server past that and down.
CONNECTIONS = 900


def _closing_slow_requests(server: BaseWSGIServer) -> None:
    """Close, at waitress's regular clean-up, connections whose request has been arriving for longer
    than REQUEST_SECONDS (waitress itself closes only connections that send nothing at all)."""
    arriving: dict = {}  # connection -> when its unfinished request was first seen
    inherited = server.maintenance

    def maintenance(now: float) -> None:
        inherited(now)
        still = {}
        for channel in list(server.active_channels.values()):
            if getattr(channel, "request", None) is not None and not channel.requests:
                still[channel] = arriving.get(channel, now)
                if now - still[channel] > REQUEST_SECONDS:
                    channel.will_close = True
        arriving.clear()
        arriving.update(still)

    server.maintenance = maintenance


def bind(app: Flask, host: str, port: int):
    """The server, listening; a port in use or not ours to take is bad input (exit 2), named."""
    site = app.extensions["charter"]
    try:
        # Enough threads that writes waiting for the render pool never leave pages and previews
        # without one: the pool refuses writes beyond its queue before the threads run out.
        server = create_server(app, host=host, port=port, threads=site.pool.limits.queue + 8,
                               max_request_body_size=MAX_REQUEST_BYTES, connection_limit=CONNECTIONS,
                               channel_timeout=IDLE_SECONDS, cleanup_interval=1, asyncore_use_poll=True)
    except OSError as error:
        key = {errno.EADDRINUSE: "port_in_use", errno.EACCES: "port_refused"}.get(error.errno, "port_failed")
        raise input_error(environment_lang(), key, field="--port", port=port, host=host,
                          detail=error.strerror or str(error)) from None
    for each in server.map.values() if isinstance(server, MultiSocketServer) else [server]:
        if isinstance(each, BaseWSGIServer):
            _closing_slow_requests(each)
    return server


def run(app: Flask, server) -> None:
    """Serve until Ctrl-C or SIGTERM (as a service manager stops it), then stop the render pool's
    workers before leaving, so nothing is left behind."""
    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    site = app.extensions["charter"]
    site.pool.start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        site.pool.close()
