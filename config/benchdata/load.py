"""A small closed-loop HTTP load tool (threads + http.client, no dependency): each virtual user
sends its next request as soon as the previous one answered, for a bounded time."""

from __future__ import annotations

import http.client
import random
import re
import statistics
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Verzoek:
    naam: str
    pad: str
    headers: dict


@dataclass
class Meting:
    latencies: list[float] = field(default_factory=list)
    fouten: dict[int, int] = field(default_factory=dict)
    # The server's own account per response (its Server-Timing header, where it sends one):
    # seconds in database queries, and how many.
    sql: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)


SERVER_TIMING_DB = re.compile(r'(?:^|,)\s*db;dur=([\d.]+)(?:;desc="(\d+) queries")?')


def server_sql(header: str | None) -> tuple[float, int] | None:
    """(seconds, queries) from a ``Server-Timing: db;dur=…;desc="N queries"`` header."""
    match = SERVER_TIMING_DB.search(header or "")
    if not match:
        return None
    return float(match[1]) / 1000, int(match[2] or 0)


def percentiel(waarden: list[float], p: float) -> float:
    if not waarden:
        return float("nan")
    ordered = sorted(waarden)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def verstuur(
    conn: http.client.HTTPConnection, verzoek: Verzoek, meting: Meting | None = None
) -> tuple[int, float]:
    started = time.perf_counter()
    conn.request("GET", verzoek.pad, headers=verzoek.headers)
    response = conn.getresponse()
    response.read()
    seconds = time.perf_counter() - started
    sql = server_sql(response.getheader("Server-Timing"))
    if meting is not None and sql is not None:
        meting.sql.append(sql[0])
        meting.queries.append(sql[1])
    return response.status, seconds


def serieel(host: str, port: int, verzoek: Verzoek, aantal: int, warmup: int = 3) -> Meting:
    """One client at a time: ``aantal`` requests after ``warmup`` unmeasured ones."""
    meting = Meting()
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        for i in range(warmup + aantal):
            status, seconds = verstuur(conn, verzoek, meting if i >= warmup else None)
            if status != 200:
                meting.fouten[status] = meting.fouten.get(status, 0) + 1
            if i >= warmup:
                meting.latencies.append(seconds)
    finally:
        conn.close()
    return meting


def belasting(
    host: str, port: int, verzoeken: list[Verzoek], gebruikers: int, seconden: float, seed: int = 1
) -> dict:
    """``gebruikers`` threads in a closed loop over ``verzoeken`` for ``seconden``."""
    stop = time.perf_counter() + seconden
    metingen = [Meting() for _ in range(gebruikers)]

    def gebruiker(i: int):
        rng = random.Random(seed + i)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        meting = metingen[i]
        try:
            while time.perf_counter() < stop:
                try:
                    status, latency = verstuur(conn, rng.choice(verzoeken))
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=60)
                    meting.fouten[0] = meting.fouten.get(0, 0) + 1
                    continue
                meting.latencies.append(latency)
                if status != 200:
                    meting.fouten[status] = meting.fouten.get(status, 0) + 1
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=gebruiker, args=(i,)) for i in range(gebruikers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = [x for m in metingen for x in m.latencies]
    fouten: dict[int, int] = {}
    for m in metingen:
        for status, n in m.fouten.items():
            fouten[status] = fouten.get(status, 0) + n
    return {
        "verzoeken": len(latencies),
        "seconden": elapsed,
        "per_seconde": len(latencies) / elapsed if elapsed else 0.0,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": percentiel(latencies, 95),
        "fouten": fouten,
    }
