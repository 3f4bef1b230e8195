"""Writing charters for the web in a bounded pool of worker processes.

A PDF takes a CPU-second or more to lay out (a long roster far more), and Python threads share
one core for it. So writes go to N worker processes (pebble: a process pool whose tasks have
a time limit, a worker past it is killed and replaced), at most `queue` writes wait, and the
server's own threads stay free for pages and previews: one person's huge roster cannot starve
everyone else, and two cores are both used.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pebble import ProcessPool

from ...core.errors import InputError, MachineError
from ...pipeline import Placement, record_renewal, write_charter
from ...register.entries import read_entry
from ...render.limits import SECONDS as RENDER_SECONDS
from ...render.limits import cap_memory
from ...render.pdf import render_pdf
from ...schema.group import validate_for
from ...schema.unit import load_unit
from ..questions import Engine
from .forms import answers_from_upload


@dataclass(frozen=True)
class Limits:
    workers: int = max(1, min(2, os.cpu_count() or 1))  # renders at once
    # a write's time limit: past the renders' own (render/limits.py), which name the unit's file,
    # so that this one, which kills the worker, is only for what they cannot stop
    seconds: float = RENDER_SECONDS + 15
    queue: int = 24  # writes waiting or running; more get "busy, try again"
    members: int = 1000  # the largest roster the web renders (the command line has no cap)


class Busy(Exception):
    """Too many writes are waiting: the page says to try again in a moment."""


class TooSlow(Exception):
    """A render ran past the time limit and was stopped."""


class Failed(Exception):
    """The worker could not write: `machine` is the machine's one-line reason (no PDF renderer,
    no CJK font), else `detail` names the kind of error only, never its text."""

    def __init__(self, detail: str, machine: str | None = None):
        super().__init__(detail)
        self.detail, self.machine = detail, machine


def _warm() -> None:
    # A worker pays for importing the PDF renderer and loading fonts once, before its first write:
    # in the font configuration the writes without a unit use, so that they find the fonts loaded.
    try:
        render_pdf("<p>字 a <b>字 a</b></p>", "zh")
    except Exception:  # noqa: BLE001 - a machine without Pango says so on the first write instead
        pass
    cap_memory()


def _write_new(answers: dict, unit_dir: str | None, out_dir: str, version_of: str | None) -> str:
    unit = load_unit(Path(unit_dir)) if unit_dir else None
    model = validate_for(answers, unit)
    if version_of is None:
        written = write_charter(model, unit, Path(out_dir), Placement.FRESH)
    else:
        written = write_charter(model, unit, Path(out_dir), Placement.VERSION, Path(out_dir) / version_of)
    return written[0].parent.name


def _read_upload(content: bytes, name: str, unit_dir: str | None, lang: str, on: date):
    unit = load_unit(Path(unit_dir)) if unit_dir else None
    return answers_from_upload(content, name, Engine(unit, on), lang)


def _renew(folder: str, until: date, reason: str, on: date) -> str:
    record_renewal(read_entry(Path(folder)), until, reason, on)
    return Path(folder).name


class RenderPool:
    def __init__(self, limits: Limits = Limits()):
        self.limits = limits
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(limits.queue)

    def start(self) -> RenderPool:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: the server is multi-threaded, and a forked copy of a lock held by
                # another thread would never be released in the child.
                self._pool = ProcessPool(max_workers=self.limits.workers, initializer=_warm,
                                         context=multiprocessing.get_context("spawn"))
        return self

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.stop()
                self._pool.join()
                self._pool = None

    def _run(self, task, *args):
        if not self._slots.acquire(blocking=False):
            raise Busy()
        try:
            future = self.start()._pool.schedule(task, args=args, timeout=self.limits.seconds)
            try:
                return future.result()
            except FutureTimeout:
                raise TooSlow(self.limits.seconds) from None
            except BrokenProcessPool as error:  # no worker could start: try afresh on the next write
                self.close()
                raise Failed(type(error).__name__) from None
            except InputError:  # bad input, whole with its fields: the page names the field
                raise
            except MachineError as error:
                raise Failed(type(error).__name__, str(error)) from None
            except Exception as error:  # the worker died (ProcessExpired), or failed: the page names the kind only
                raise Failed(type(error).__name__) from None
        finally:
            self._slots.release()

    def write_new(self, answers: dict, unit_dir: Path | None, out_dir: Path, version_of: str | None = None) -> str:
        """A new folder in the register for these answers, or with version_of, a new version of
        that folder's charter; returns the folder's name."""
        return self._run(_write_new, answers, str(unit_dir) if unit_dir else None, str(out_dir), version_of)

    def read_upload(self, content: bytes, name: str, unit_dir: Path | None, lang: str,
                    on: date) -> tuple[dict, tuple[str, set[str]] | None]:
        """An uploaded answers file read as forms.answers_from_upload reads it, under the same time
        limit as a write: a file made to be slow to parse holds up a worker, never the server."""
        return self._run(_read_upload, content, name, str(unit_dir) if unit_dir else None, lang, on)

    def renew(self, folder: Path, until: date, reason: str, on: date) -> str:
        return self._run(_renew, str(folder), until, reason, on)
