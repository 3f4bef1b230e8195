"""`charter serve`: the web form, the preview, the register pages (see app.py)."""

from .app import create_app
from .pool import Limits, RenderPool
from .security import Access, is_loopback, password_from
from .server import bind, run

__all__ = ["Access", "Limits", "RenderPool", "create_app", "is_loopback", "password_from", "bind", "run"]
