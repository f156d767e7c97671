"""The account server's AI proxy beside the upstream it forwards to.

All over real HTTP on 127.0.0.1: the fake OpenAI-compatible upstream
(``tests/fakes/upstream.py``) in its own process, and ``inkbench-server
--workers 2`` in front of it (SQLite; PostgreSQL when ``INKBENCH_TEST_PG``
holds a URL, in a schema of its own). Each figure beside the same request
sent to the upstream directly, in this run:

- ``server.ttft_p50`` / ``server.ttft_p95``: time to the first content chunk
  of a streamed reply, sequential requests. Target: the proxy adds <= 3 ms
  at the median and <= 8 ms at p95.
- ``server.stream_per_chunk``: wall time per chunk of a long streamed reply
  (first to last chunk). Target: the proxy adds <= 150 µs per chunk.
- ``server.requests_per_s``: non-streamed chat completions per second with
  16 concurrent clients (auth, quota, upstream call, usage write each).
  Target ratio >= 0.4 of the upstream alone on this machine.
- ``server.soak``: 200 concurrent streaming clients for 60 s (each request
  with its own Idempotency-Key, on a plan with limits, so every call
  reserves and settles). Target: 0 errors, one usage row per request
  served, and no key charged twice.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.results import record

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench password 1"
CHEAP = {
    "INKBENCH_SERVER_ARGON2_TIME_COST": "1",
    "INKBENCH_SERVER_ARGON2_MEMORY_KIB": "64",
    "INKBENCH_SERVER_ARGON2_PARALLELISM": "1",
}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


def _start(args: list[str], env: dict | None = None, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child owns it
    try:
        return subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            stdout=out,
            stderr=out,
            env={**os.environ, **(env or {})},
        )
    finally:
        if log:
            out.close()


def _restart_upstream(procs: list, port: int, words: int, chunk_delay: float = 0.0) -> None:
    procs[0].terminate()
    procs[0].wait(timeout=10)
    args = ["--port", str(port), "--words", str(words), "--chunk-delay", str(chunk_delay)]
    procs[0] = _start(["-m", "tests.fakes.upstream", *args])
    _wait(f"http://127.0.0.1:{port}/v1/models", procs[0])


def _ttft(client: httpx.Client, url: str, headers: dict, n: int) -> list[float]:
    body = {
        "model": "fake-small",
        "messages": [{"role": "user", "content": "first token please"}],
        "stream": True,
    }
    times = []
    for _ in range(n):
        start = time.perf_counter()
        with client.stream("POST", url, json=body, headers=headers) as r:
            lines = r.iter_lines()
            for line in lines:
                if '"content": "w' in line or '"content":"w' in line:
                    times.append(time.perf_counter() - start)
                    break
            for _ in lines:  # read the rest, so both paths finish the reply
                pass
    return sorted(t * 1000 for t in times)


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] if len(values) > 1 else values[0]


def _per_chunk(client: httpx.Client, url: str, headers: dict, words: int, n: int) -> float:
    body = {
        "model": "fake-small",
        "messages": [{"role": "user", "content": "a long reply"}],
        "stream": True,
    }
    per = []
    for _ in range(n):
        first = last = None
        chunks = 0
        with client.stream("POST", url, json=body, headers=headers) as r:
            for line in r.iter_lines():
                if line.startswith("data: {") and '"content": "w' in line.replace('":"', '": "'):
                    now = time.perf_counter()
                    first = first or now
                    last = now
                    chunks += 1
        per.append((last - first) / max(1, chunks - 1))
    return statistics.median(per) * 1e6


async def _rps(url: str, headers: dict, total: int, concurrency: int) -> float:
    body = {"model": "fake-small", "messages": [{"role": "user", "content": "short"}]}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        queue = list(range(total))

        async def worker():
            while queue:
                queue.pop()
                r = await client.post(url, json=body, headers=headers)
                r.raise_for_status()

        await asyncio.gather(*(worker() for _ in range(concurrency)))  # warm-up run below
        queue.extend(range(total))
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return total / (time.perf_counter() - start)


def _load() -> str:
    """The machine's load average (1, 5, 15 min): the figures depend on it."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _ttft_figures(direct: str, proxy: str, auth: dict) -> None:
    with httpx.Client(timeout=30) as client:
        _ttft(client, proxy, auth, 5)  # warm both paths
        _ttft(client, direct, {}, 5)
        t_direct, t_proxy = [], []
        for _ in range(4):  # interleaved, so load on the machine hits both alike
            t_direct += _ttft(client, direct, {}, 25)
            t_proxy += _ttft(client, proxy, auth, 25)
    print(f"ttft: load average {_load()}")
    for name, q, limit in (("p50", 0.5, 3.0), ("p95", 0.95, 8.0)):
        value, base = _p(t_proxy, q), _p(t_direct, q)
        record(
            f"server.ttft_{name}",
            value=value,
            unit="ms",
            baseline=base,
            target=f"proxy adds <= {limit:g} ms",
            met=value - base <= limit,
        )


def _rps_figure(direct: str, proxy: str, auth: dict) -> None:
    rps_direct, rps_proxy = [], []
    for _ in range(3):  # interleaved, so load on the machine hits both alike
        rps_direct.append(asyncio.run(_rps(direct, {}, 200, 16)))
        rps_proxy.append(asyncio.run(_rps(proxy, auth, 200, 16)))
    print(f"requests/s: load average {_load()}; rounds direct {rps_direct}, proxy {rps_proxy}")
    d, pr = statistics.median(rps_direct), statistics.median(rps_proxy)
    record(
        "server.requests_per_s",
        value=pr,
        unit="req/s",
        baseline=d,
        target="ratio >= 0.4 (2 workers, same cores as the upstream)",
        met=pr / d >= 0.4,
    )


SOAK_CLIENTS = 200
SOAK_SECONDS = 60.0
SOAK_MAX_REQUESTS = 20_000  # a bound on the loop whatever the machine's speed


async def _soak_clients(api: str, token: str) -> tuple[int, list[str], set[str]]:
    """200 clients streaming for SOAK_SECONDS; returns requests served, the
    errors seen, and the Idempotency-Keys of the requests served. A
    transport error is retried once with the same key (what Inkbench's
    client does); the retries are counted and printed."""
    url = f"{api}/ai/chat/completions"
    limits = httpx.Limits(max_connections=SOAK_CLIENTS, max_keepalive_connections=SOAK_CLIENTS)
    served: set[str] = set()
    errors: list[str] = []
    retried: list[str] = []
    started = 0
    deadline = time.monotonic() + SOAK_SECONDS
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def one_client(n: int) -> None:
            nonlocal started
            i = 0
            while time.monotonic() < deadline and started < SOAK_MAX_REQUESTS:
                started += 1
                key = f"soak-{n}-{i}"
                i += 1
                body = {
                    "model": "fake-small",
                    "messages": [{"role": "user", "content": f"soak {key}"}],
                    "stream": True,
                }
                headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
                for attempt in (1, 2):
                    try:
                        async with client.stream("POST", url, json=body, headers=headers) as r:
                            text = "".join([line async for line in r.aiter_lines()])
                    except httpx.TransportError as e:
                        # as Inkbench's client does: once more with the same
                        # key (a reply already paid for is replayed, not rebilled)
                        if attempt == 1:
                            retried.append(type(e).__name__)
                            continue
                        errors.append(type(e).__name__)
                        break
                    if r.status_code != 200 or "[DONE]" not in text or '"error"' in text:
                        errors.append(f"{r.status_code} {text[:120]}")
                    else:
                        served.add(key)
                    break

        await asyncio.gather(*(one_client(n) for n in range(SOAK_CLIENTS)))
    if retried:
        print(f"soak: {len(retried)} requests retried after a transport error ({retried[0]})")
    return len(served), errors, served


def _soak(api: str, db_url: str, server: subprocess.Popen, log: Path) -> None:
    from sqlalchemy import create_engine, text

    token = httpx.post(f"{api}/auth/login", json={"username": "soak", "password": PASSWORD}).json()[
        "access_token"
    ]
    n, errors, keys = asyncio.run(_soak_clients(api, token))
    time.sleep(1)  # the last settlements commit after the last byte is sent
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = (
            conn.execute(
                text(
                    "SELECT u.idempotency_key FROM usage_event u JOIN account_user a"
                    " ON a.id = u.user_id WHERE a.username = 'soak'"
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    charged = [k for k in rows]
    double = len(charged) - len(set(charged))
    lost = len(keys - set(charged))
    print(
        f"soak: {n} requests served by {SOAK_CLIENTS} clients in {SOAK_SECONDS:g} s, "
        f"{len(errors)} errors, {len(rows)} usage rows, {double} double, {lost} lost"
        + (f"; first error: {errors[0]}" if errors else "")
    )
    print(f"soak: load average {_load()}")
    if errors and _first_errors(log):
        print(f"soak: the server's log ({log}) begins its errors with:\n{_first_errors(log)}")
    record(
        "server.soak",
        value=n / SOAK_SECONDS,
        unit="req/s",
        baseline=None,
        target="200 streaming clients, 60 s: 0 errors, usage rows == served, none double",
        met=not errors and len(rows) == n and double == 0 and lost == 0,
    )


def _pg_schema() -> tuple[str, str] | None:
    """A fresh schema on INKBENCH_TEST_PG: (url with it, schema)."""
    url = os.environ.get("INKBENCH_TEST_PG")
    if not url:
        return None
    import uuid

    from sqlalchemy import create_engine, text

    schema = "bench_" + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", schema


def _drop_schema(schema: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(os.environ["INKBENCH_TEST_PG"])
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _admin(db_url: str, *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "inkbench.server.cli", "--db", db_url, *args],
        input=stdin,
        text=True,
        check=True,
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, **CHEAP},
    )


LOG_DIR = ROOT / "bench" / "work"
PARTS = ("ttft", "chunk", "rps", "soak")


def _parts() -> tuple[str, ...]:
    """``INKBENCH_BENCH_SERVER=soak,rps`` runs only those figures (all by default)."""
    chosen = tuple(p for p in os.environ.get("INKBENCH_BENCH_SERVER", "").split(",") if p)
    unknown = set(chosen) - set(PARTS)
    if unknown:
        raise SystemExit(f"INKBENCH_BENCH_SERVER: unknown {sorted(unknown)}; choose from {PARTS}")
    return chosen or PARTS


def _first_errors(log: Path, limit: int = 40) -> str:
    """The first traceback or error lines of the server's log."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    picked = [i for i, line in enumerate(lines) if "Traceback" in line or "ERROR" in line]
    if not picked:
        return ""
    return "\n".join(lines[picked[0] : picked[0] + limit])


def main() -> None:
    parts = _parts()
    tmp = Path(tempfile.mkdtemp(prefix="inkbench-bench-server-"))
    pg = _pg_schema()
    db_url = pg[0] if pg else f"sqlite:///{tmp / 'server.db'}"
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"server-{'pg' if pg else 'sqlite'}.log"
    log.unlink(missing_ok=True)
    print(f"server database: {'PostgreSQL' if pg else 'SQLite'}; server log: {log}")
    print(f"load average at start: {_load()}")
    up_port, srv_port = _free_port(), _free_port()
    procs = []
    try:
        procs.append(_start(["-m", "tests.fakes.upstream", "--port", str(up_port), "--words", "8"]))
        upstream = f"http://127.0.0.1:{up_port}/v1"
        _wait(f"{upstream}/models", procs[-1])
        _admin(db_url, "adduser", "bench", "--plan", "pro", stdin=PASSWORD + "\n")
        _admin(db_url, "plans", "set", "pro", "--tokens", "-1", "--articles", "-1")
        # the soak's user has limits, so each call reserves and settles
        _admin(db_url, "plans", "set", "soak", "--tokens", "1000000000", "--articles", "1000000")
        _admin(db_url, "adduser", "soak", "--plan", "soak", stdin=PASSWORD + "\n")
        procs.append(
            _start(
                [
                    "-m",
                    "inkbench.server.cli",
                    "--db",
                    db_url,
                    "--upstream",
                    upstream,
                    "--port",
                    str(srv_port),
                    "--workers",
                    "2",
                    "--log-level",
                    "warning",
                ],
                env=CHEAP,
                log=log,
            )
        )
        api = f"http://127.0.0.1:{srv_port}/api"
        _wait(f"{api}/health", procs[-1])
        token = httpx.post(
            f"{api}/auth/login", json={"username": "bench", "password": PASSWORD}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        direct = f"{upstream}/chat/completions"
        proxy = f"{api}/ai/chat/completions"

        if "ttft" in parts:
            _ttft_figures(direct, proxy, auth)
        if "chunk" in parts:
            # a long reply: the same upstream port, now answering 2,000 chunks
            _restart_upstream(procs, up_port, 2000)
            with httpx.Client(timeout=60) as client:
                c_direct = _per_chunk(client, direct, {}, 2000, 5)
                c_proxy = _per_chunk(client, proxy, auth, 2000, 5)
            record(
                "server.stream_per_chunk",
                value=c_proxy,
                unit="µs",
                baseline=c_direct,
                target="proxy adds <= 150 µs per chunk",
                met=c_proxy - c_direct <= 150,
            )
        if "rps" in parts:
            _restart_upstream(procs, up_port, 8)
            _rps_figure(direct, proxy, auth)
        if "soak" in parts:
            _restart_upstream(procs, up_port, 20, chunk_delay=0.05)
            _soak(api, db_url, procs[-1], log)
        print(f"load average at end: {_load()}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        if pg:
            _drop_schema(pg[1])


if __name__ == "__main__":
    main()
