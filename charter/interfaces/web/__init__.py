"""`charter serve`: the web form, the preview, the register pages (see app.py)."""

from .app import create_app, serve
from .pool import Limits, RenderPool
from .security import Access, is_loopback, password_from

__all__ = ["Access", "Limits", "RenderPool", "create_app", "is_loopback", "password_from", "serve"]
