"""Render speed and size of each bundled example. Prints figures; asserts nothing.

    make bench            (or: .venv/bin/python benchmarks/render.py [--runs N])

For each example: the whole `charter render` process to PDF (start-up included, best of N),
the warm in-process render (answers already loaded, fonts already cached, best of N), the
PDF size and the peak memory of the whole process. Then the start-up cost of `charter --help`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from charter.core.resources import example_files
from charter.render.documents import render_documents
from charter.schema.group import load_group

CHARTER = Path(sys.executable).with_name("charter")


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def whole_process(example: Path, runs: int) -> tuple[float, int, int]:
    """Best wall time of `charter render --format pdf`, the PDF's size, and the largest peak RSS in KiB."""
    times, size, peak = [], 0, 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            child = subprocess.Popen([str(CHARTER), "render", str(example), "--out", out, "--format", "pdf"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)  # this child's own resource usage
            times.append(time.perf_counter() - start)
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode:
                raise SystemExit(f"charter render {example} failed with exit {child.returncode}")
            size = next(Path(out).rglob("charter.pdf")).stat().st_size
            peak = max(peak, usage.ru_maxrss)
    return min(times), size, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"charter render benchmark · {runs} runs each · {os.cpu_count()} cores · Python {sys.version.split()[0]}")
    print(f"{'example':<24} {'whole cmd':>10} {'warm':>8} {'PDF size':>10} {'peak RSS':>10}")
    for example in example_files():
        answers, unit, _ = load_group(example)
        render_documents(answers, formats=("pdf",), unit=unit)  # warm-up: fonts, templates, imports
        warm = best_of(runs, lambda: render_documents(answers, formats=("pdf",), unit=unit))
        whole, size, peak = whole_process(example, runs)
        print(f"{example.stem:<24} {whole:>9.3f}s {warm:>7.3f}s {size / 1024:>8.1f}KB {peak / 1024:>8.1f}MB")
    help_time = best_of(runs, lambda: subprocess.run([str(CHARTER), "--help"], check=True, capture_output=True))
    print(f"charter --help: {help_time:.3f}s")
    subsetting(runs)


def subsetting(runs: int) -> None:
    """The warm zh render with HarfBuzz subsetting, then with WeasyPrint's fontTools fallback
    (what a machine without libharfbuzz-subset0 gets, as `charter doctor` warns)."""
    import weasyprint.pdf.fonts as fonts

    answers, _, _ = load_group(example_files()[0])
    if fonts.harfbuzz_subset is None:
        print("font subsetting: libharfbuzz-subset0 is missing here; only the fontTools figure is measured")
    harfbuzz = best_of(runs, lambda: render_documents(answers, formats=("pdf",))) if fonts.harfbuzz_subset else None
    saved, fonts.harfbuzz_subset = fonts.harfbuzz_subset, None
    try:
        fonttools = best_of(max(1, runs // 2), lambda: render_documents(answers, formats=("pdf",)))
    finally:
        fonts.harfbuzz_subset = saved
    shown = f"HarfBuzz {harfbuzz:.3f}s, " if harfbuzz else ""
    ratio = f" ({fonttools / harfbuzz:.0f}x)" if harfbuzz else ""
    print(f"font subsetting, warm {example_files()[0].stem} PDF: {shown}fontTools {fonttools:.3f}s{ratio}")


if __name__ == "__main__":
    main()
