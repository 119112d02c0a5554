"""A crowd of phones at one URL: many keep-alive HTTP/1.1 clients in one asyncio loop.

Each client asks, waits for the whole answer (or `timeout` seconds), and asks again, for
`seconds`. Light enough to run beside the server on the same small machine: no HTTP library,
just the status line, the headers and Content-Length bytes.
"""

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class CrowdResult:
    path: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    timeouts: int = 0
    errors: int = 0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("inf")

    @property
    def failures(self) -> int:
        """Timeouts, broken connections and any answer other than 200."""
        bad = sum(n for status, n in self.statuses.items() if status != 200)
        return self.timeouts + self.errors + bad

    def line(self) -> str:
        return (
            f"{self.path}: {len(self.latencies)} answers, {self.per_second:.1f}/s, "
            f"median {self.quantile(0.5) * 1000:.0f} ms, p99 {self.quantile(0.99) * 1000:.0f} ms, "
            f"statuses {self.statuses}, {self.timeouts} timeouts, {self.errors} errors"
        )


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:] if line)
    }
    await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection", "").lower() == "close"


async def _client(host, port, path, deadline, timeout, result: CrowdResult) -> None:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: gzip\r\n"
        "Accept-Language: zh-CN\r\nUser-Agent: crowd-bench\r\n\r\n"
    ).encode()
    writer = reader = None
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), timeout
                )
            writer.write(request)
            status, close = await asyncio.wait_for(_answer(reader), timeout)
        except TimeoutError:
            result.timeouts += 1
            close = True
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            result.errors += 1
            close = True
        else:
            result.latencies.append(time.monotonic() - started)
            result.statuses[status] = result.statuses.get(status, 0) + 1
        if close and writer is not None:
            writer.close()
            writer = reader = None
    if writer is not None:
        writer.close()


def crowd(base: str, path: str, *, clients: int, seconds: float, timeout: float = 2.0):
    """Run `clients` simultaneous clients against base+path for `seconds`; a CrowdResult."""
    host, port = base.removeprefix("http://").split(":")
    result = CrowdResult(path, seconds)

    async def run() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(_client(host, int(port), path, deadline, timeout, result) for _ in range(clients))
        )

    asyncio.run(run())
    return result
