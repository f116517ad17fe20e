"""OpenTelemetry traces: where a slow request spent its time, hub → departments → graph.

Off unless `HUB_OTLP_ENDPOINT` names a collector (OTLP over HTTP, e.g.
http://otel-collector:4318/v1/traces); off, every span is the API's no-op (about a microsecond).
A request's span continues the caller's trace (W3C `traceparent`, as a gateway sends it); under
it, one span per department round trip and per graph query. Spans carry names, counts and
outcomes only: no query text, no variables, no keys, no token subject (privacy: the trace
collector is not the access log).
"""

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

log = logging.getLogger("hub")
SERVICE = "community-data-hub"

_tracer: Tracer = trace.NoOpTracer()
_provider: "TracerProvider | None" = None


def start(endpoint: str | None) -> None:
    """Export spans to `endpoint` from now on (a process's first call wins; None: off)."""
    if not endpoint:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    global _provider
    if _provider is not None:
        return
    _provider = TracerProvider(resource=Resource.create({"service.name": SERVICE}))
    _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    use(_provider.get_tracer("hub"))
    log.info("traces exported to %s", endpoint)


def stop() -> None:
    """Send what is still buffered (the process is ending)."""
    global _provider
    if _provider is not None:
        _provider.shutdown()
        _provider = None
        use(None)


def use(tracer: Tracer | None) -> None:
    """The tracer spans come from (None: none recorded again)."""
    global _tracer
    _tracer = tracer or trace.NoOpTracer()


@contextmanager
def request_span(method: str, path: str, headers: Mapping[str, str]) -> Iterator[trace.Span]:
    """A request served, continuing the caller's trace when it sent one."""
    context = propagate.extract(headers)
    with _tracer.start_as_current_span(
        f"{method} {path}", context=context, kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "url.path": path},
    ) as span:
        yield span


@contextmanager
def span(name: str, kind: SpanKind = SpanKind.CLIENT, **attributes: str | int) -> Iterator[None]:
    """One round trip to a department or store; an exception marks it failed (and passes)."""
    with _tracer.start_as_current_span(name, kind=kind, attributes=attributes,
                                       record_exception=False, set_status_on_exception=False
                                       ) as current:
        try:
            yield
        except BaseException as exc:
            current.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise
