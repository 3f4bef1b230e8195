"""`charter list`, `due` and `calendar` over a big register, beside a raw read of the same files.
Prints figures; asserts nothing.

    .venv/bin/python benchmarks/register.py [--groups 2000] [--rounds 5]

Builds a register of N groups of one unit (a copy of the county example unit beside it), each a
rendered charter.toml, then times, alternately in the same run, each whole process: Python
reading every charter.toml with tomllib (the yardstick), and each command. Cold is the first
read of the register (nothing in the index); warm is every read after. Target (issue 15): each
command within 2x the raw read. Figures are medians of wall time; the machine's other load moves
them, the ratios much less.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHARTER = Path(sys.executable).with_name("charter")
UNIT = ROOT / "examples" / "units" / "county-propaganda"
GROUP = ROOT / "examples" / "units" / "county-propaganda-group.toml"
TARGET = 2.0
RAW = ("import pathlib, sys, tomllib\n"
       "[tomllib.loads(p.read_text('utf-8')) for p in pathlib.Path(sys.argv[1]).glob('*/charter.toml')]\n")
COMMANDS = {"list": ["list"], "due": ["due"], "calendar": ["calendar"]}


def build(work: Path, count: int) -> Path:
    unit = work / "units" / "county"
    shutil.copytree(UNIT, unit)
    register = work / "register"
    subprocess.run([str(CHARTER), "render", str(GROUP), "--unit", str(unit), "--out", str(register), "--format",
                    "txt"], check=True, capture_output=True)
    [first] = register.iterdir()
    text = (first / "charter.toml").read_text("utf-8")
    for n in range(count):
        folder = register / f"group-{n:05d}"
        folder.mkdir()
        (folder / "charter.toml").write_text(
            text.replace('name = "县委宣传部网评工作群"', f'name = "县委宣传部网评工作群{n}"')
            .replace("dissolve_on = 2027-06-30", f"dissolve_on = 2027-{n % 12 + 1:02d}-{n % 28 + 1:02d}"), "utf-8")
    shutil.rmtree(first)
    return register


def timed(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "CHARTER_TODAY": "2026-12-29", "XDG_CACHE_HOME": str(Path(work) / "cache")}
        register = build(Path(work), options.groups)
        time.sleep(3.5)  # the index keeps only files settled for a few seconds
        raw = [sys.executable, "-c", RAW, str(register)]
        cold_raw, cold = timed(raw, env), {}
        for name, args in COMMANDS.items():  # each with no index yet (the last one leaves it for the rest)
            shutil.rmtree(Path(work) / "cache", ignore_errors=True)
            cold[name] = timed([str(CHARTER), *args, "--dir", str(register)], env)
        figures = {"raw": [], **{name: [] for name in COMMANDS}}
        for _ in range(options.rounds):
            figures["raw"].append(timed(raw, env))
            for name, args in COMMANDS.items():
                figures[name].append(timed([str(CHARTER), *args, "--dir", str(register)], env))
        raw_median = statistics.median(figures["raw"])
        print(f"{options.groups} groups of one unit, median of {options.rounds} rounds (wall seconds)")
        print(f"  raw tomllib read of every charter.toml   {raw_median:6.2f}")
        for name in COMMANDS:
            median = statistics.median(figures[name])
            ratio = median / raw_median
            print(f"  charter {name:<9} warm {median:6.2f}  = {ratio:4.2f}x raw (target <= {TARGET:.1f}x)"
                  f"   cold {cold[name]:6.2f} = {cold[name] / cold_raw:4.2f}x")


if __name__ == "__main__":
    main()
