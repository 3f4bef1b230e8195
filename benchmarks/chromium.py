"""charter's PDF against headless Chromium printing the same charter.html. Prints figures.

    .venv/bin/python benchmarks/chromium.py [--runs N]

For each example, in one go on the same machine: the whole `charter render --format pdf`
(process start-up included) and `chromium --headless --print-to-pdf` of the charter.html
that charter renders, best of N runs each; the time ratio; both PDF sizes. Chromium is
Debian's package (`apt-get install chromium`); without it the script says so and stops.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import whole_process  # noqa: E402  (the sibling benchmark's measurement)

from charter.core.resources import example_files  # noqa: E402
from charter.render.documents import render_documents  # noqa: E402
from charter.schema.group import load_group  # noqa: E402

# The flags a closed network needs: no background connections, no first-run work.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-pdf-header-footer"]


def chromium_print(chromium: str, html: Path, runs: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as profile:
            pdf = Path(profile) / "out.pdf"
            start = time.perf_counter()
            subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
                            html.as_uri()], check=True, capture_output=True, timeout=120)
            times.append(time.perf_counter() - start)
            size = pdf.stat().st_size
    return min(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("Chromium is not installed (apt-get install chromium): nothing to compare against.")
        return
    version = subprocess.run([chromium, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"charter render vs {version} · best of {runs}")
    print(f"{'example':<24} {'charter':>9} {'chromium':>9} {'ratio':>7} {'charter PDF':>12} {'chromium PDF':>13}")
    with tempfile.TemporaryDirectory() as work:
        for example in example_files():
            html = Path(work) / f"{example.stem}.html"
            answers, unit, _ = load_group(example)
            html.write_bytes(render_documents(answers, formats=("html",), unit=unit)["charter.html"])
            ours, our_size, _ = whole_process(example, runs)
            theirs, their_size = chromium_print(chromium, html, runs)
            print(f"{example.stem:<24} {ours:>8.3f}s {theirs:>8.3f}s {ours / theirs:>6.2f}x "
                  f"{our_size / 1024:>10.1f}KB {their_size / 1024:>11.1f}KB")
    print("ratio = charter time / chromium time (below 1: charter is faster)")


if __name__ == "__main__":
    main()
