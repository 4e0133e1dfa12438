"""Latency of POST /v1/evaluate measured with a real HTTP client against `verordening serve`.

Run: python benchmarks/serve_latency.py [--requests N] [--clients 1,16] [--zonder-uitleg]
Starts the server on a free port, cycles through the scenario files (as JSON), warms up,
then sends N requests per setting: one client in sequence, and C clients at once (threads,
one keep-alive connection each). Prints p50/p90/p99 and requests per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _bodies() -> list[bytes]:
    out = []
    for file in sorted((ROOT / "scenarios").glob("*.yaml")):
        data = _plain(yaml.safe_load(file.read_text("utf-8")))
        if "versie" not in data:  # the version in force on the peildatum
            out.append(json.dumps(data).encode())
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _run(url: str, bodies: list[bytes], clients: int, total: int, params: dict[str, str]) -> None:
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = total // clients
    barrier = threading.Barrier(clients)

    def work(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            client.post("/v1/evaluate", content=bodies[0], params=params)  # open the connection
            barrier.wait()
            mine = []
            for i in range(per_client):
                body = bodies[(offset + i) % len(bodies)]
                start = time.perf_counter()
                response = client.post("/v1/evaluate", content=body, params=params)
                mine.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"{response.status_code}: {response.text[:300]}")
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(c * 7,)) for c in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ms = [x * 1000 for x in latencies]
    print(
        f"{clients:>3} client(s), {len(ms)} requests: p50 {_percentile(ms, 0.5):6.1f} ms  "
        f"p90 {_percentile(ms, 0.9):6.1f} ms  p99 {_percentile(ms, 0.99):6.1f} ms  "
        f"mean {statistics.fmean(ms):6.1f} ms  {len(ms) / wall:6.0f} req/s"
    )


def _in_process(bodies: list[bytes], uitleg: bool, total: int) -> None:
    """The same work without HTTP (parse, decide, JSON): what the service adds is the rest."""
    from verordening_engine.regels.location import resolve_regels
    from verordening_engine.serve.service import Service
    from verordening_engine.serve.settings import Settings

    service = Service(Settings(regels=resolve_regels()))
    for body in bodies:
        service.evaluate(body, None, uitleg)
    ms = []
    for i in range(total):
        start = time.perf_counter()
        service.evaluate(bodies[i % len(bodies)], None, uitleg)
        ms.append((time.perf_counter() - start) * 1000)
    print(
        f"in process, {total} cases:  p50 {_percentile(ms, 0.5):6.1f} ms  "
        f"p90 {_percentile(ms, 0.9):6.1f} ms  p99 {_percentile(ms, 0.99):6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--zonder-uitleg", action="store_true", help="uitleg=false")
    parser.add_argument("--max-gelijktijdig", default="4")
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "verordening_engine", "serve", "--port", str(port),
         "--max-gelijktijdig", args.max_gelijktijdig],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != "VERORDENING_REGELS"},
    )  # fmt: skip
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        bodies = _bodies()
        params = {"uitleg": "false"} if args.zonder_uitleg else {}
        print(
            f"{len(bodies)} scenario cases, uitleg={'false' if args.zonder_uitleg else 'true'}, "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
        )
        _in_process(bodies, not args.zonder_uitleg, args.requests)
        _run(url, bodies, 1, 100, params)  # warm-up: every version compiled, caches filled
        for clients in (int(c) for c in args.clients.split(",")):
            _run(url, bodies, clients, args.requests, params)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
