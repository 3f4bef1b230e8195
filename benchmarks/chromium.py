"""charter's PDF against headless Chromium printing the same charter.html. Prints figures.

    .venv/bin/python benchmarks/chromium.py [--runs N]

For each example, in one go on the same machine: the whole `charter render --format pdf`
(process start-up included) and `chromium --headless --print-to-pdf` of the charter.html
that charter renders, run in alternating pairs; the medians, the median ratio beside its
target, and both PDF sizes. Chromium is
Debian's package (`apt-get install chromium`); without it the script says so and stops.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
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


TARGET = 0.7  # charter's whole render against Chromium's print of the same page


def chromium_print(chromium: str, html: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as profile:
        pdf = Path(profile) / "out.pdf"
        start = time.perf_counter()
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
                        html.as_uri()], check=True, capture_output=True, timeout=120)
        return time.perf_counter() - start, pdf.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("Chromium is not installed (apt-get install chromium): nothing to compare against.")
        return
    version = subprocess.run([chromium, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"charter render vs {version} · {runs} alternating pairs · median of each")
    print(f"{'example':<24} {'charter':>9} {'chromium':>9} {'ratio':>7} {'target':>7} {'charter PDF':>12} {'chromium PDF':>13}")
    with tempfile.TemporaryDirectory() as work:
        for example in example_files():
            html = Path(work) / f"{example.stem}.html"
            answers, unit, _ = load_group(example)
            html.write_bytes(render_documents(answers, formats=("html",), unit=unit)["charter.html"])
            ours, theirs, ratios = [], [], []
            for index in range(runs):
                # alternate which goes first, so a slow moment of the machine falls on both
                pair = [lambda: whole_process(example, 1)[:2], lambda: chromium_print(chromium, html)]
                if index % 2:
                    pair.reverse()
                first, second = (run() for run in pair)
                (charter_run, chromium_run) = (first, second) if index % 2 == 0 else (second, first)
                ours.append(charter_run)
                theirs.append(chromium_run)
                ratios.append(charter_run[0] / chromium_run[0])
            ours_time, theirs_time = statistics.median(t for t, _ in ours), statistics.median(t for t, _ in theirs)
            ratio = statistics.median(ratios)
            print(f"{example.stem:<24} {ours_time:>8.3f}s {theirs_time:>8.3f}s {ratio:>6.2f}x {'≤' + str(TARGET):>7} "
                  f"{ours[-1][1] / 1024:>10.1f}KB {theirs[-1][1] / 1024:>11.1f}KB")
    print("ratio = median of charter time / chromium time over the pairs (below 1: charter is faster)")


if __name__ == "__main__":
    main()
