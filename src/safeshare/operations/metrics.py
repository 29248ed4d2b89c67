"""A small Prometheus registry: counters, fixed-bucket histograms and gauges read at scrape time.

Written out here (the text exposition format 0.0.4 is a few lines) rather than adding a
dependency. Values live in the process: under gunicorn each worker keeps its own, and a scrape is
answered by whichever worker takes it. ``docs/operations.md`` explains what that means and when
to move to ``prometheus-client``'s multi-process mode.
"""

from __future__ import annotations

import math
import threading
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence

Labels = tuple[tuple[str, str], ...]
Sample = tuple[str, Labels, float]

LATENCY_BUCKETS: tuple[float, ...] = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _format_labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in labels) + "}"


def format_value(value: float) -> str:
    """A sample value as Prometheus writes it (+Inf, -Inf, NaN, integers without ``.0``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class Metric:
    """Something the registry can write out."""

    kind = "untyped"

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str] = ()) -> None:
        self.name, self.documentation, self.labelnames = name, documentation, tuple(labelnames)
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> Labels:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes the labels {self.labelnames}, not {labels}")
        return tuple((name, str(labels[name])) for name in self.labelnames)

    def samples(self) -> Iterable[Sample]:
        raise NotImplementedError

    def render(self) -> str:
        lines = [
            f"# HELP {self.name} {_escape(self.documentation)}",
            f"# TYPE {self.name} {self.kind}",
        ]
        lines += [
            f"{name}{_format_labels(labels)} {format_value(value)}"
            for name, labels, value in self.samples()
        ]
        return "\n".join(lines) + "\n"


class Counter(Metric):
    """A value that only goes up (per process; it starts again at zero when a worker restarts)."""

    kind = "counter"

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, documentation, labelnames)
        self._values: dict[Labels, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("A counter cannot go down.")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> Iterator[Sample]:
        with self._lock:
            items = sorted(self._values.items())
        for labels, value in items:
            yield self.name, labels, value


class Histogram(Metric):
    """Observations counted into fixed buckets, with their sum and count."""

    kind = "histogram"

    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Sequence[str] = (),
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> None:
        super().__init__(name, documentation, labelnames)
        self.buckets = tuple(sorted(buckets))
        self._counts: dict[Labels, list[int]] = {}
        self._sums: dict[Labels, float] = {}

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        position = bisect_left(self.buckets, value)  # le is inclusive: value <= bound
        with self._lock:
            counts = self._counts.setdefault(key, [0] * (len(self.buckets) + 1))
            counts[position] += 1
            self._sums[key] = self._sums.get(key, 0.0) + value

    def count(self, **labels: str) -> int:
        return sum(self._counts.get(self._key(labels), ()))

    def samples(self) -> Iterator[Sample]:
        with self._lock:
            items = sorted((key, list(counts)) for key, counts in self._counts.items())
            sums = dict(self._sums)
        for labels, counts in items:
            running = 0
            for bound, count in zip((*self.buckets, math.inf), counts, strict=True):
                running += count
                le = "+Inf" if math.isinf(bound) else format_value(bound)
                yield f"{self.name}_bucket", (*labels, ("le", le)), running
            yield f"{self.name}_sum", labels, sums[labels]
            yield f"{self.name}_count", labels, running


class Gauge(Metric):
    """A value read when scraped. The callback returns a number, ``{labels: number}`` or None
    (nothing to report, for example because the database cannot be reached)."""

    kind = "gauge"

    def __init__(
        self,
        name: str,
        documentation: str,
        read: Callable[[], float | dict[Labels, float] | None],
        labelnames: Sequence[str] = (),
    ) -> None:
        super().__init__(name, documentation, labelnames)
        self.read = read

    def samples(self) -> Iterator[Sample]:
        value = self.read()
        if value is None:
            return
        if isinstance(value, dict):
            for labels, number in sorted(value.items()):
                yield self.name, labels, number
        else:
            yield self.name, (), value


class Registry:
    """The metrics one process exposes at /metrics."""

    def __init__(self) -> None:
        self._metrics: dict[str, Metric] = {}

    def register[M: Metric](self, metric: M) -> M:
        if metric.name in self._metrics:
            raise ValueError(f"{metric.name} is registered already")
        self._metrics[metric.name] = metric
        return metric

    def unregister(self, name: str) -> None:
        self._metrics.pop(name, None)

    def render(self) -> str:
        parts = []
        for metric in self._metrics.values():
            try:
                parts.append(metric.render())
            except Exception as error:  # one broken gauge must not hide the others
                parts.append(f"# {metric.name} could not be read: {type(error).__name__}\n")
        return "".join(parts)


REGISTRY = Registry()
PROCESS_STARTED = time.time()

CLEARANCES = REGISTRY.register(
    Counter(
        "safeshare_clearances_total",
        "Clearances decided and committed by this process, by decision.",
        ["decision"],
    )
)
REQUESTS = REGISTRY.register(
    Counter(
        "safeshare_http_requests_total",
        "HTTP requests answered by this process, by kind of route and status code.",
        ["route", "status"],
    )
)
LATENCY = REGISTRY.register(
    Histogram(
        "safeshare_http_request_duration_seconds",
        "Time from the request reaching Django to the response leaving it, by kind of route.",
        ["route"],
    )
)
DATABASE_UNAVAILABLE = REGISTRY.register(
    Counter(
        "safeshare_database_unavailable_total",
        "Requests answered 503 because the database could not be reached.",
    )
)
REGISTRY.register(
    Gauge(
        "safeshare_process_start_time_seconds",
        "When this process started, in seconds since the Unix epoch.",
        lambda: PROCESS_STARTED,
    )
)


def route_kind(method: str, path: str) -> str:
    """A small, fixed set of route labels (never the raw path: it can carry references)."""
    if path.startswith("/api/"):
        if method == "POST" and path.rstrip("/").endswith("/api/v1/clearances"):
            return "api_clearance"
        return "api"
    if path.startswith("/static/"):
        return "static"
    if path in ("/healthz", "/readyz", "/metrics"):
        return "operations"
    return "site"
