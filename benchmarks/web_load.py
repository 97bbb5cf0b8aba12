"""Load on the dashboard: 20 concurrent clients for 30 s against the overview and caseloads
pages and the API routes behind them, on loopback, with the synthetic council loaded.

For each backend: a fresh database, ``caseloads demo --size council`` (history to 2026-11-22),
an analyst account of authority 826 with an API token (``services.users``), then ``caseloads
serve`` in its own process (``--workers`` as given; 2 for PostgreSQL by default). Every request
carries the token (``Authorization: Bearer``). One warm-up pass over the URLs first (its
latencies are reported as ``cold_ms``: the services' first computation, before the cache), then
``--clients`` threads, each with its own keep-alive connection, request the URLs round-robin
with no pause for ``--seconds``. Bounded: a fixed number of clients and a fixed duration, on
127.0.0.1 only. Anything but a 200 is an error.

    .venv/bin/python benchmarks/web_load.py [--backend sqlite|postgresql|both] [--clients 20]
        [--seconds 30] [--workers N] [--postgres-url URL]

Prints one JSON object: per backend, overall and per URL, requests, errors, median and 95th
percentile latency in milliseconds, and requests per second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx

TODAY = date(2026, 11, 22)
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
URLS = [
    "/",
    "/caseloads",
    "/api/v1/workforce?as_of=2026-11-22",
    "/api/v1/benchmark",
    "/api/v1/caseload?by=team",
    "/api/v1/caseload?by=worker",
    "/api/v1/caseload-history?from=2026-05-24&to=2026-11-22&freq=week",
]


def prepare(url: str, work: Path) -> tuple[Any, str]:
    """Load the council and create the benchmark's analyst and token: (settings, token)."""
    from caseloads.config import Settings
    from caseloads.services import users
    from caseloads.services.database import open_database
    from caseloads.services.demo import run_demo

    settings = Settings(database_url=url, key_file=work / "bench.key")
    run_demo(settings, out_dir=work / "demo", seed=1, size="council", today=TODAY, la_code="826")
    db = open_database(settings)
    try:
        users.add_user(db, "bench", "analyst", uuid.uuid4().hex + "Aa1!", la_codes=["826"])
        token = users.create_token(db, "bench")
    finally:
        db.dispose()
    return settings, token


def serve(settings: Any, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CASELOADS_DATABASE_URL": settings.database_url,
        "CASELOADS_KEY_FILE": str(settings.key_file),
    }
    cmd = [sys.executable, "-m", "caseloads.cli", "serve", "--port", str(port)]
    cmd += ["--workers", str(workers)]
    process = subprocess.Popen(
        [sys.executable, "-c", "from caseloads.cli import main; main()", *cmd[3:]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/static/app.css", timeout=1)
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                raise RuntimeError(
                    process.stderr.read().decode() if process.stderr else ""
                ) from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def summary(samples: list[tuple[str, float, bool]], seconds: float) -> dict[str, Any]:
    def stats(rows: list[tuple[str, float, bool]]) -> dict[str, Any]:
        times = sorted(ms for _, ms, _ in rows)
        return {
            "requests": len(rows),
            "errors": sum(1 for *_, ok in rows if not ok),
            "median_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1) if times else None,
            "max_ms": round(times[-1], 1) if times else None,
            "per_second": round(len(rows) / seconds, 1),
        }

    return {
        "all": stats(samples),
        "by_url": {u: stats([s for s in samples if s[0] == u]) for u in URLS},
    }


def load(base: str, token: str, clients: int, seconds: float) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    cold: dict[str, float] = {}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for url in URLS:
            started = time.perf_counter()
            response = client.get(url)
            cold[url] = round((time.perf_counter() - started) * 1000, 1)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
    samples: list[tuple[str, float, bool]] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(offset: int) -> None:
        mine: list[tuple[str, float, bool]] = []
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            i = offset
            while time.monotonic() < stop:
                url = URLS[i % len(URLS)]
                i += 1
                started = time.perf_counter()
                try:
                    ok = client.get(url).status_code == 200
                except httpx.HTTPError:
                    ok = False
                mine.append((url, (time.perf_counter() - started) * 1000, ok))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"cold_ms": cold, **summary(samples, time.monotonic() - started)}


def one_backend(backend: str, args: argparse.Namespace, port: int) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    from caseloads.config import normalise_database_url

    workers = args.workers or (2 if backend == "postgresql" else 1)
    with tempfile.TemporaryDirectory(prefix="caseloads-web-load-") as tmp:
        work = Path(tmp)
        admin = None
        name = f"caseloads_web_{uuid.uuid4().hex[:10]}"
        if backend == "sqlite":
            url = f"sqlite:///{work / 'bench.db'}"
        else:
            admin = create_engine(
                normalise_database_url(args.postgres_url), isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = args.postgres_url.rsplit("/", 1)[0] + "/" + name
        try:
            settings, token = prepare(url, work)
            server = serve(settings, port, workers)
            try:
                result = load(f"http://127.0.0.1:{port}", token, args.clients, args.seconds)
            finally:
                server.terminate()
                server.wait(timeout=30)
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    return {"workers": workers, "clients": args.clients, "seconds": args.seconds, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("CASELOADS_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    report = {b: one_backend(b, args, args.port) for b in backends}
    print(json.dumps({"date": TODAY.isoformat(), "urls": URLS, "results": report}, indent=2))


if __name__ == "__main__":
    main()
