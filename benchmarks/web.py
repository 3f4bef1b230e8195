"""charter serve under load: preview and write latency with 20 concurrent clients. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/web.py [--clients 20] [--previews 10] [--writes 2]

Starts the real `charter serve` (its waitress threads and its pool of writer processes) on a
free loopback port with an empty register, lets every client fetch the form once (its CSRF
token and cookie), then measures, each phase with all clients at once: previews alone, writes
alone, and previews while writes run. Targets (issue 15, on 2 cores): preview p95 <= 300 ms,
write p95 <= 3 s.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

CHARTER = Path(sys.executable).with_name("charter")
ANSWERS = {
    "lang": "zh", "group.name": "防汛宣传群", "group.platform": "wechat", "group.kind": "temporary",
    "group.purpose": "统筹防汛宣传的稿件报送", "group.created": "2026-11-25", "group.dissolve_on": "2026-12-31",
    "owner.name": "陈刚", "owner.unit": "县应急管理局", "owner.title": "科长",
    "members": "姓名,单位,职务,角色\n" + "".join(f"成员{i},县水利局,干事,\n" for i in range(30)), "show_roster": "yes",
}
TARGETS = {"preview": 0.300, "write": 3.0}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 303 after a write is the answer measured


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())
        page = self.opener.open(base + "/", timeout=60).read().decode("utf-8")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.body = {"csrf_token": token, "_shown": list(ANSWERS), **ANSWERS}

    def post(self, path: str, **extra) -> float:
        data = urllib.parse.urlencode({**self.body, **extra}, doseq=True).encode()
        start = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=data, timeout=120) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        elapsed = time.perf_counter() - start
        if status not in (200, 303):
            raise SystemExit(f"{path} answered {status}")
        return elapsed


def together(clients: list[Client], count: int, action: str) -> list[float]:
    """Every client sends `count` requests of one kind, all clients at once; each request's latency."""
    times: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def run(client: Client):
        barrier.wait()
        for _ in range(count):
            elapsed = client.post("/preview") if action == "preview" else client.post("/", action="write")
            with lock:
                times.append(elapsed)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def tree_cpu(pid: int) -> float | None:
    """CPU seconds used so far by the server and its worker processes (Linux /proc), None elsewhere.

    On a shared machine the latencies depend on what else runs; CPU per request does not, and
    (requests x CPU per request) / cores is the best any scheduling can do."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        stats = {int(entry): Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                 for entry in os.listdir("/proc") if entry.isdigit() and Path(f"/proc/{entry}/stat").exists()}
    except OSError:
        return None
    tree, found = {pid}, True
    while found:
        found = False
        for child, fields in stats.items():
            if child not in tree and int(fields[1]) in tree:
                tree.add(child)
                found = True
    return sum(int(stats[p][11]) + int(stats[p][12]) for p in tree if p in stats) / tick


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def line(name: str, times: list[float], target: float | None, cpu: float | None = None) -> str:
    per = f"{cpu / len(times) * 1000:>8.0f}" if cpu is not None else f"{'n/a':>8}"
    figures = f"{name:<28} {len(times):>5} {statistics.median(times) * 1000:>9.0f} {p95(times) * 1000:>9.0f} {per}"
    if target is None:
        return figures
    verdict = "meets" if p95(times) <= target else "MISSES"
    return f"{figures}   p95 target {target * 1000:.0f} ms: {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--previews", type=int, default=10, help="previews per client")
    parser.add_argument("--writes", type=int, default=2, help="writes per client")
    options = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as out:
        server = subprocess.Popen([str(CHARTER), "serve", "--port", str(port), "--out", out],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env={**os.environ, "CHARTER_TODAY": "2026-11-25"})
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("charter serve did not start")
                    time.sleep(0.2)
            clients = [Client(base) for _ in range(options.clients)]
            clients[0].post("/", action="write")  # the writer processes' first write, not measured
            print(f"charter serve under load · {options.clients} clients · {os.cpu_count()} cores · "
                  f"roster of 30 members")
            print(f"{'phase':<28} {'reqs':>5} {'median ms':>9} {'p95 ms':>9} {'CPU ms':>8}  (CPU: server and workers, per request)")
            for action in ("preview", "write"):
                before = tree_cpu(server.pid)
                times = together(clients, options.previews if action == "preview" else options.writes, action)
                after = tree_cpu(server.pid)
                print(line(action, times, TARGETS[action], after - before if None not in (before, after) else None))
            half = len(clients) // 2
            mixed: dict[str, list[float]] = {}
            writers = threading.Thread(target=lambda: mixed.update(write=together(clients[:half], options.writes,
                                                                                  "write")))
            writers.start()
            mixed["preview"] = together(clients[half:], options.previews, "preview")
            writers.join()
            print(line(f"preview while {half} write", mixed["preview"], None))
            print(line(f"write beside {len(clients) - half} previews", mixed["write"], None))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
