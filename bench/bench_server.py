"""The account server's AI proxy beside the upstream it forwards to.

All over real HTTP on 127.0.0.1: the fake OpenAI-compatible upstream
(``tests/fakes/upstream.py``) in its own process, and ``inkbench-server
--workers 2`` (SQLite) in front of it. Each figure beside the same request
sent to the upstream directly, in this run:

- ``server.ttft``: time to the first content chunk of a streamed reply,
  median of sequential requests. Target: the proxy adds <= 25 ms.
- ``server.stream_per_chunk``: wall time per chunk of a long streamed reply
  (first to last chunk). Target: the proxy adds <= 150 µs per chunk (a real
  model sends a chunk every 10-50 ms).
- ``server.requests_per_s``: non-streamed chat completions per second with
  16 concurrent clients (auth, quota check, upstream call, usage write each).
  Target ratio >= 0.25 of the upstream alone on this machine: the proxy and
  the upstream share the same cores.
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


def _start(args: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def _restart_upstream(procs: list, port: int, words: int) -> None:
    procs[0].terminate()
    procs[0].wait(timeout=10)
    procs[0] = _start(["-m", "tests.fakes.upstream", "--port", str(port), "--words", str(words)])
    _wait(f"http://127.0.0.1:{port}/v1/models", procs[0])


def _ttft(client: httpx.Client, url: str, headers: dict, n: int) -> float:
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
    return statistics.median(times) * 1000


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


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="inkbench-bench-server-"))
    db_url = f"sqlite:///{tmp / 'server.db'}"
    up_port, srv_port = _free_port(), _free_port()
    procs = []
    try:
        procs.append(_start(["-m", "tests.fakes.upstream", "--port", str(up_port), "--words", "8"]))
        upstream = f"http://127.0.0.1:{up_port}/v1"
        _wait(f"{upstream}/models", procs[-1])
        subprocess.run(
            [
                sys.executable,
                "-m",
                "inkbench.server.cli",
                "--db",
                db_url,
                "adduser",
                "bench",
                "--plan",
                "pro",
            ],
            input=PASSWORD + "\n",
            text=True,
            check=True,
            cwd=ROOT,
            capture_output=True,
            env={**os.environ, **CHEAP},
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "inkbench.server.cli",
                "--db",
                db_url,
                "plans",
                "set",
                "pro",
                "--tokens",
                "-1",
                "--articles",
                "-1",
            ],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
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

        with httpx.Client(timeout=30) as client:
            _ttft(client, proxy, auth, 5)  # warm both paths
            _ttft(client, direct, {}, 5)
            t_direct = _ttft(client, direct, {}, 40)
            t_proxy = _ttft(client, proxy, auth, 40)
        record(
            "server.ttft",
            value=t_proxy,
            unit="ms",
            baseline=t_direct,
            target="proxy adds <= 25 ms",
            met=t_proxy - t_direct <= 25,
        )

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

        _restart_upstream(procs, up_port, 8)
        rps_direct = asyncio.run(_rps(direct, {}, 400, 16))
        rps_proxy = asyncio.run(_rps(proxy, auth, 400, 16))
        record(
            "server.requests_per_s",
            value=rps_proxy,
            unit="req/s",
            baseline=rps_direct,
            target="ratio >= 0.25 (2 workers, same cores as the upstream)",
            met=rps_proxy / rps_direct >= 0.25,
        )
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


if __name__ == "__main__":
    main()
