"""A roster beyond one page: render time and memory as it grows. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/roster.py [--sizes 250,500,1000,2000]

Renders the township example's PDF with its roster printed and N generated members, in this
process (WeasyPrint warm), and prints the time per member, which stays flat when the time is
linear in the roster's size. Target (issue 15): 2,000 members within 10 seconds.
"""

from __future__ import annotations

import argparse
import copy
import io
import resource
import time
import tomllib

from pypdf import PdfReader

from charter.core.resources import examples_dir
from charter.render.documents import render_documents
from charter.render.weasy import load
from charter.schema.group import validate_for

TARGET_SECONDS = 10.0
TARGET_MEMBERS = 2000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,500,1000,2000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    load()
    base = tomllib.loads((examples_dir() / "township-office.toml").read_text("utf-8"))
    print(f"{'members':>8} {'time':>8} {'per member':>11} {'pages':>6} {'peak RSS':>9}")
    for count in sizes:
        data = copy.deepcopy(base)
        data["show_roster"] = True
        data["members"] = [{"name": f"成员{n}", "unit": f"青石镇第{n % 30}村委会", "title": "干事"} for n in range(count)]
        answers = validate_for(data, None)
        start = time.perf_counter()
        pdf = render_documents(answers, formats=("pdf",))["charter.pdf"]
        elapsed = time.perf_counter() - start
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        verdict = ""
        if count == TARGET_MEMBERS:
            verdict = f"   target <= {TARGET_SECONDS:.0f}s: {'meets' if elapsed <= TARGET_SECONDS else 'MISSES'}"
        print(f"{count:>8} {elapsed:>7.2f}s {elapsed / count * 1000:>8.2f} ms {pages:>6} {peak:>7.0f}MB{verdict}")


if __name__ == "__main__":
    main()
