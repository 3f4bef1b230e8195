"""`charter batch` speed and memory with a unit. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/batch.py [--groups 100] [--sizes 25,50,100]

Renders a generated CSV of temporary groups to PDF with the county example unit, at
--jobs 1 and --jobs 2: wall time, time per charter, and the peak resident memory of the
whole process tree (the batch and its workers, sampled every 20 ms from /proc). Then the
peak memory at growing batch sizes, at --jobs 2, to show whether it stays flat.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHARTER = Path(sys.executable).with_name("charter")
UNIT = ROOT / "examples" / "units" / "county-propaganda"
PAGE = os.sysconf("SC_PAGE_SIZE")
TARGET_PER_CHARTER = 0.1  # seconds, at --jobs 2 on 2 cores (issue 15)


def write_groups(path: Path, count: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["群名称", "用途", "类型", "解散日期", "群主", "群主单位", "接任群主"])
        for n in range(count):
            writer.writerow([f"专项工作群{n:03d}", f"第{n}项专项工作的通知、报送和协调", "临时群",
                             f"2027-{n % 12 + 1:02d}-15", "李明", "县委宣传部", "王芳"])


def session_rss(session: int) -> int:
    """Resident bytes of every process in a session (the batch, the forkserver, the workers)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[3]) == session:  # field 6, the session id (counted after the command name)
                total += int(Path(f"/proc/{entry}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def run(count: int, jobs: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as work:
        groups = Path(work) / "groups.csv"
        write_groups(groups, count)
        start = time.perf_counter()
        child = subprocess.Popen([str(CHARTER), "batch", str(groups), "--unit", str(UNIT), "--out",
                                  str(Path(work) / "out"), "--jobs", str(jobs), "--format", "pdf"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        peak = 0
        while child.poll() is None:
            peak = max(peak, session_rss(child.pid))
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        if child.returncode:
            raise SystemExit(f"charter batch failed with exit {child.returncode}")
        written = len(list((Path(work) / "out").glob("*/charter.pdf")))
        if written != count:
            raise SystemExit(f"{written} of {count} charters written")
        return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--sizes", default="25,50,100")
    options = parser.parse_args()
    print(f"charter batch benchmark · {options.groups} groups to PDF · unit {UNIT.name} · {os.cpu_count()} cores")
    print(f"{'jobs':>4} {'total':>9} {'per charter':>12} {'peak memory':>12}")
    for jobs in (1, 2):
        elapsed, peak = run(options.groups, jobs)
        per = elapsed / options.groups
        target = f"   target <= {TARGET_PER_CHARTER}s at --jobs 2: {'meets' if per <= TARGET_PER_CHARTER else 'MISSES'}" \
            if jobs == 2 else ""
        print(f"{jobs:>4} {elapsed:>8.2f}s {per:>11.3f}s {peak / 2**20:>10.0f}MB{target}")
    print("peak memory by batch size, --jobs 2 (target: flat as the batch grows):")
    for size in (int(s) for s in options.sizes.split(",")):
        elapsed, peak = run(size, 2)
        print(f"  {size:>4} groups  {peak / 2**20:>6.0f}MB  {elapsed / size:.3f}s per charter")


if __name__ == "__main__":
    main()
