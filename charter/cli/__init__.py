"""The command line: a thin shell over the functions that make and check charters."""

from __future__ import annotations

from . import charters, register, units  # noqa: F401  (each adds its commands to the group)
from .base import cli


def main() -> None:
    cli(prog_name="charter")
