"""Load on the dashboard: 20 concurrent clients for 30 s against the overview and caseloads
pages and the API routes behind them, on loopback, with the synthetic council loaded.

For each backend: a fresh database, ``caseloads demo --size council`` (history to 2026-11-22),
an analyst account of authority 826 made by ``services.users`` with a password and an API token,
then ``caseloads serve`` in its own process (``--workers`` as given; 2 for PostgreSQL by
default). Each client signs in through ``/login`` like a browser (its own session cookie, CSRF
token from the form) and requests the pages with that cookie; the API routes carry the token
(``Authorization: Bearer``). The URLs (:data:`PAGES` and :data:`API`) are the two pages and
every API route whose data they show (the routes of the same service calls with the same
arguments).

One pass over the URLs first on one connection (its latencies are reported as ``cold_ms``: the
services' first computation, before the cache), then ``--warmup`` seconds of the full load,
untimed (with ``--workers 2`` the pass reaches one process only, and each process has its own
caches); then ``--runs`` timed runs of ``--seconds`` each, in which
``--clients`` clients, each with its own keep-alive connection, request the URLs round-robin with
no pause. Anything but a 200 is an error. Before each timed run of the dashboard, the baseline
(``web_baseline.py``: a FastAPI route returning a constant, under uvicorn with the same worker
count and settings) is loaded the same way for ``--baseline-seconds``, so that each figure has a
ratio against the bare HTTP stack measured minutes apart on the same machine.

The clients are asyncio coroutines writing HTTP/1.1 on raw sockets in this one process (no
thread per client, no HTTP library on the request path: a request costs the load generator some
tens of microseconds), so that the generator takes as little as possible of the CPU it shares
with the server. Bounded: a fixed number of clients, a fixed duration, a 30 s timeout per
request, 127.0.0.1 only.

    .venv/bin/python benchmarks/web_load.py [--backend sqlite|postgresql|both] [--clients 20]
        [--seconds 30] [--runs 3] [--baseline-seconds 10] [--warmup 10] [--workers N]
        [--postgres-url URL]

Prints one JSON object: the machine (CPUs, load averages before and after), and per backend the
cold latencies, each run (overall, pages, API and per URL: requests, errors, median, 95th
percentile and maximum latency in ms, requests per second; the baseline's run beside it) and the
medians over the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import httpx

TODAY = date(2026, 11, 22)
AS_OF = TODAY.isoformat()
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
HERE = Path(__file__).parent
USERNAME = "bench"
PASSWORD = "bench-" + uuid.uuid4().hex
#: The pages, requested with a session cookie.
PAGES = ["/", "/caseloads"]
#: The API routes of the same data (same services, same arguments), with the bearer token:
#: the overview's caseload by team, workforce indicators, published benchmark, 12-month caseload
#: history and turnover; the caseloads page's workers and 26-week history.
API = [
    "/api/v1/caseload?by=team",
    f"/api/v1/workforce?as_of={AS_OF}",
    "/api/v1/benchmark",
    f"/api/v1/caseload-history?from=2025-11-23&to={AS_OF}&freq=month",
    "/api/v1/turnover?months=12",
    "/api/v1/caseload?by=worker",
    f"/api/v1/caseload-history?from=2026-05-24&to={AS_OF}&freq=week",
]
#: Round-robin order: a page after every few API calls, so that both kinds run all the time.
URLS = [PAGES[0], *API[:4], PAGES[1], *API[4:]]
TIMEOUT = 30.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- the database and the servers ----------------------------------------------------------------


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
        users.add_user(db, USERNAME, "analyst", PASSWORD, la_codes=["826"])
        token = users.create_token(db, USERNAME)
    finally:
        db.dispose()
    return settings, token


def start(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """Run a server and wait until it answers on ``port``."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=HERE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                raise RuntimeError(
                    process.stderr.read().decode() if process.stderr else ""
                ) from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def serve(settings: Any, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``caseloads serve`` on ``port``."""
    env = {
        **os.environ,
        "CASELOADS_DATABASE_URL": settings.database_url,
        "CASELOADS_KEY_FILE": str(settings.key_file),
    }
    code = "from caseloads.cli import main; main()"
    args = ["serve", "--port", str(port), "--workers", str(workers)]
    return start([sys.executable, "-c", code, *args], env, port)


def serve_baseline(port: int, workers: int) -> subprocess.Popen[bytes]:
    """The baseline app under uvicorn with ``caseloads serve``'s settings."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "web_baseline:create_app",
        "--app-dir",
        str(HERE),
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-proxy-headers",
    ]
    return start(command, dict(os.environ), port)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sign_in(base: str) -> str:
    """Sign in through the form like a browser; the session cookie's value."""
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        form = client.get("/login")
        found = CSRF.search(form.text)
        if form.status_code != 200 or found is None:
            raise RuntimeError(f"/login: {form.status_code}, no CSRF token")
        answer = client.post(
            "/login",
            data={
                "username": USERNAME,
                "password": PASSWORD,
                "csrf_token": found.group(1),
                "next": "/",
            },
        )
        cookie = client.cookies.get("caseloads_session")
        if answer.status_code != 303 or not cookie:
            raise RuntimeError(f"sign-in failed: {answer.status_code}")
        return cookie


# --- the clients ---------------------------------------------------------------------------------

Sample = tuple[str, float, bool]


def request_bytes(path: str, header: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: web_load\r\n"
        f"Accept: */*\r\nAccept-Encoding: identity\r\n{header}\r\n\r\n"
    ).encode("ascii")


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """One response off a keep-alive connection: (status, whether the server keeps it open)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked, keep = 0, False, True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and "close" in value.lower():
            keep = False
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, keep


async def client(
    port: int, requests: Sequence[tuple[str, bytes]], offset: int, until: float
) -> list[Sample]:
    """Request ``requests`` round-robin on one keep-alive connection until ``until``."""
    samples: list[Sample] = []
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    i = offset
    while time.monotonic() < until:
        url, raw = requests[i % len(requests)]
        i += 1
        started = time.perf_counter()
        ok = False
        try:
            async with asyncio.timeout(TIMEOUT):
                if connection is None:
                    connection = await asyncio.open_connection("127.0.0.1", port)
                reader, writer = connection
                writer.write(raw)
                status, keep = await read_response(reader)
            ok = status == 200
            if not keep:
                writer.close()
                connection = None
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            if connection is not None:
                connection[1].close()
            connection = None
        samples.append((url, (time.perf_counter() - started) * 1000, ok))
    if connection is not None:
        connection[1].close()
    return samples


async def run_clients(
    port: int, per_client: Sequence[Sequence[tuple[str, bytes]]], seconds: float
) -> tuple[list[Sample], float]:
    until = time.monotonic() + seconds
    began = time.monotonic()
    results = await asyncio.gather(
        *(client(port, requests, n, until) for n, requests in enumerate(per_client))
    )
    return [s for r in results for s in r], time.monotonic() - began


def stats(rows: Sequence[Sample], seconds: float) -> dict[str, Any]:
    times = sorted(ms for _, ms, _ in rows)
    if not times:
        return {"requests": 0, "errors": 0}
    return {
        "requests": len(rows),
        "errors": sum(1 for *_, ok in rows if not ok),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, -(-len(times) * 95 // 100) - 1)], 1),
        "max_ms": round(times[-1], 1),
        "per_second": round(len(rows) / seconds, 1),
    }


def summary(samples: Sequence[Sample], seconds: float) -> dict[str, Any]:
    return {
        "all": stats(samples, seconds),
        "pages": stats([s for s in samples if s[0] in PAGES], seconds),
        "api": stats([s for s in samples if s[0] in API], seconds),
        "by_url": {u: stats([s for s in samples if s[0] == u], seconds) for u in URLS},
    }


def load_dashboard(port: int, token: str, clients: int, seconds: float) -> dict[str, Any]:
    """One timed run against the dashboard (every client signed in with its own session)."""
    base = f"http://127.0.0.1:{port}"
    bearer = f"Authorization: Bearer {token}"
    per_client = []
    for _ in range(clients):
        cookie = f"Cookie: caseloads_session={sign_in(base)}"
        per_client.append([(u, request_bytes(u, cookie if u in PAGES else bearer)) for u in URLS])
    samples, took = asyncio.run(run_clients(port, per_client, seconds))
    return summary(samples, took)


def load_baseline(port: int, clients: int, seconds: float) -> dict[str, Any]:
    requests = [("/", request_bytes("/", "X-Load: baseline"))]
    samples, took = asyncio.run(run_clients(port, [requests] * clients, seconds))
    return stats(samples, took)


def cold(port: int, token: str) -> dict[str, float]:
    """The first request of each URL (the services' computation before the cache)."""
    base = f"http://127.0.0.1:{port}"
    cookie = sign_in(base)
    out: dict[str, float] = {}
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        for url in URLS:
            headers = (
                {"Cookie": f"caseloads_session={cookie}"}
                if url in PAGES
                else {"Authorization": f"Bearer {token}"}
            )
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            out[url] = round((time.perf_counter() - started) * 1000, 1)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
    return out


def medians(runs: Sequence[dict[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        values = [r[key] for r in runs if r.get(key) is not None]
        out[key] = round(statistics.median(values), 1) if values else None
    return out


# --- one backend ---------------------------------------------------------------------------------


def one_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
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
            server = serve(settings, args.port, workers)
            runs: list[dict[str, Any]] = []
            try:
                cold_ms = cold(args.port, token)
                # Every worker process has its own caches: warm them all, untimed.
                load_dashboard(args.port, token, args.clients, args.warmup)
                for _ in range(args.runs):
                    baseline = serve_baseline(args.port + 1, workers)
                    try:
                        load_before = os.getloadavg()
                        base = load_baseline(args.port + 1, args.clients, args.baseline_seconds)
                    finally:
                        stop(baseline)
                    time.sleep(2)
                    run = load_dashboard(args.port, token, args.clients, args.seconds)
                    run["baseline"] = base
                    run["loadavg_before"] = [round(x, 2) for x in load_before]
                    run["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
                    for part in ("all", "pages"):
                        if run[part].get("p95_ms") and base.get("p95_ms"):
                            run[part]["p95_vs_baseline"] = round(
                                run[part]["p95_ms"] / base["p95_ms"], 1
                            )
                    runs.append(run)
            finally:
                stop(server)
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    keys = ["median_ms", "p95_ms", "per_second", "errors"]
    return {
        "workers": workers,
        "clients": args.clients,
        "seconds": args.seconds,
        "cold_ms": cold_ms,
        "median_of_runs": {
            part: medians([r[part] for r in runs], keys) for part in ("all", "pages", "api")
        }
        | {"baseline": medians([r["baseline"] for r in runs], keys)},
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("CASELOADS_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 0 < args.seconds <= 600 or not 1 <= args.runs <= 10:
        parser.error("bounded: 1-200 clients, at most 600 s a run, 1-10 runs")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    report = {
        "date": TODAY.isoformat(),
        "cpus": os.cpu_count(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "urls": {"pages (session cookie)": PAGES, "api (bearer token)": API},
        "results": {b: one_backend(b, args) for b in backends},
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
