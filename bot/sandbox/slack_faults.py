"""Fault plans for the fake Slack Web API: how Slack falters, on demand.

Per method, a queue of faults taken one call at a time:
- `ratelimit`: HTTP 429 with `Retry-After` (the call has no effect);
- `server_error`: HTTP 500 (no effect);
- `error`: HTTP 200 with `ok: false` and Slack's error string (no effect);
- `delay_after_effect`: the call takes effect, then the answer waits `seconds` (beyond the
  client's timeout, the answer is lost while the channel or message exists at Slack).

And per method, a limiter: at most `calls` accepted in any `per_seconds` window (a sliding
window, as Slack's tiers behave), on an injected clock (`FixedClock` in tests) or the wall
clock; a call over the limit is answered 429 with the whole seconds until a slot frees.

Tests drive it in-process (`FakeSlackState.faults`), other processes over HTTP:
`POST /_sandbox/faults` `{"method", "kind", "times", "retry_after", "seconds", "error",
"status"}`, `POST /_sandbox/limits` `{"method", "calls", "per_seconds"}`,
`POST /_sandbox/faults/clear`, `GET /_sandbox/faults`.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("ratelimit", "server_error", "error", "delay_after_effect")


@dataclass
class Fault:
    kind: str
    times: int = 1
    retry_after: int = 1
    seconds: float = 0.0
    error: str = "internal_error"
    status: int = 500


@dataclass
class Limiter:
    calls: int
    per_seconds: float
    accepted: deque[float] = field(default_factory=deque)

    def admit(self, now: float) -> int | None:
        """None when the call may go ahead (and it is counted); else Retry-After seconds."""
        while self.accepted and self.accepted[0] <= now - self.per_seconds:
            self.accepted.popleft()
        if len(self.accepted) < self.calls:
            self.accepted.append(now)
            return None
        return max(1, math.ceil(self.accepted[0] + self.per_seconds - now))


@dataclass(frozen=True)
class Early:
    """An answer given instead of running the method."""

    status: int
    payload: dict[str, Any]
    headers: dict[str, str]


class FaultPlan:
    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = {}
        self._limiters: dict[str, Limiter] = {}
        # Seconds on the limiter's clock; a test passes `lambda: clock.now().timestamp()`.
        self.clock: Callable[[], float] = clock or time.monotonic
        self.limited: dict[str, int] = {}  # method -> calls answered 429 by a limiter

    # -- planning ---------------------------------------------------------------------------
    def add(self, method: str, fault: Fault) -> None:
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; one of {', '.join(KINDS)}")
        with self._lock:
            self._faults.setdefault(method, []).append(fault)

    def ratelimit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        self.add(method, Fault("ratelimit", times, retry_after=retry_after))

    def server_error(self, method: str, times: int = 1, status: int = 500) -> None:
        self.add(method, Fault("server_error", times, status=status))

    def error(self, method: str, error: str, times: int = 1) -> None:
        self.add(method, Fault("error", times, error=error))

    def delay_after_effect(self, method: str, seconds: float, times: int = 1) -> None:
        self.add(method, Fault("delay_after_effect", times, seconds=seconds))

    def limit(self, method: str, calls: int, per_seconds: float = 60.0) -> None:
        with self._lock:
            self._limiters[method] = Limiter(calls, per_seconds)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._limiters.clear()
            self.limited.clear()

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "faults": {m: [asdict(f) for f in q] for m, q in self._faults.items() if q},
                "limits": {
                    m: {"calls": lim.calls, "per_seconds": lim.per_seconds}
                    for m, lim in self._limiters.items()
                },
                "limited": dict(self.limited),
            }

    # -- applying (the fake's dispatch calls these) -----------------------------------------
    def before(self, method: str) -> tuple[Early | None, float]:
        """What to answer instead of running `method`, and how long to hold the answer of a
        call that does run (a `delay_after_effect`)."""
        with self._lock:
            fault = self._take(method)
            if fault is not None and fault.kind == "ratelimit":
                return _ratelimited(fault.retry_after), 0.0
            if fault is not None and fault.kind == "server_error":
                return Early(fault.status, {"ok": False, "error": "internal_error"}, {}), 0.0
            if fault is not None and fault.kind == "error":
                return Early(200, {"ok": False, "error": fault.error}, {}), 0.0
            limiter = self._limiters.get(method)
            if limiter is not None:
                wait = limiter.admit(self.clock())
                if wait is not None:
                    self.limited[method] = self.limited.get(method, 0) + 1
                    return _ratelimited(wait), 0.0
            return None, fault.seconds if fault is not None else 0.0

    def _take(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault


def _ratelimited(retry_after: int) -> Early:
    return Early(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})


def control(plan: FaultPlan, verb: str, path: str, body: dict[str, Any]) -> Any | None:
    """The HTTP control endpoints; None when `path` is not one of them."""
    if path == "/_sandbox/faults" and verb == "GET":
        return plan.describe()
    if path == "/_sandbox/faults" and verb == "POST":
        fields = {
            k: body[k] for k in ("times", "retry_after", "seconds", "error", "status") if k in body
        }
        plan.add(str(body["method"]), Fault(str(body["kind"]), **fields))
        return plan.describe()
    if path == "/_sandbox/limits" and verb == "POST":
        plan.limit(str(body["method"]), int(body["calls"]), float(body.get("per_seconds", 60)))
        return plan.describe()
    if path == "/_sandbox/faults/clear" and verb == "POST":
        plan.clear()
        return plan.describe()
    return None
