"""OpenTelemetry: a request's trace shows its department round trips and graph queries under
it, continues the caller's trace, and carries no personal data (spans recorded in memory)."""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from hub import tracing
from hub.settings import Settings
from tests.conftest import STREET_ADMIN, TEST_JWT_SECRET
from tests.support.hub_process import running_hub

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
QUERY = """{ people(first: 3, filter: {gender: "女"}) { edges { node {
  id name idNumber careLevel residence { name } } } } }"""


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use(provider.get_tracer("hub"))
    try:
        yield exporter
    finally:
        tracing.use(None)
        provider.shutdown()


def _chain_to(span: ReadableSpan, by_id: dict[int, ReadableSpan], root: ReadableSpan) -> bool:
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
    return span is root


async def test_a_request_traces_its_departments_and_graph_under_the_callers_trace(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    answer = await client.post("/graphql", json={"query": QUERY}, headers={
        "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
    body = answer.json()
    assert answer.status_code == 200 and "errors" not in body, body
    finished = spans.get_finished_spans()
    (request,) = [s for s in finished if s.name == "POST /graphql"]
    assert format(request.context.trace_id, "032x") == CALLER_TRACE
    assert request.parent is not None and format(request.parent.span_id, "016x") == CALLER_SPAN
    assert request.attributes["http.response.status_code"] == 200
    by_id = {s.context.span_id: s for s in finished}
    departments = [s for s in finished if s.name.startswith("department police")]
    graph = [s for s in finished if s.name.startswith("graph read")]
    assert departments and graph
    assert all(_chain_to(s, by_id, request) for s in departments + graph)
    names = {e["node"]["name"] for e in body["data"]["people"]["edges"]}
    said = " ".join(str(v) for s in finished for v in (s.attributes or {}).values())
    assert not [n for n in names if n and n in said]  # no personal data in the trace
    assert "女" not in said and "people" not in said  # nor the query or its filter values


async def test_off_by_default_nothing_is_recorded(client: httpx.AsyncClient) -> None:
    exporter = InMemorySpanExporter()  # not in use: the hub's tracer is the no-op one
    answer = await client.post("/graphql", json={"query": QUERY})
    assert answer.status_code == 200 and exporter.get_finished_spans() == ()
    assert not tracing._tracer.start_span("probe").is_recording()


class _Collector(ThreadingHTTPServer):
    """An OTLP/HTTP trace receiver: the span names it was sent."""

    def __init__(self) -> None:
        self.names: list[str] = []
        super().__init__(("127.0.0.1", 0), _Receive)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1/traces"


class _Receive(BaseHTTPRequestHandler):
    server: _Collector

    def do_POST(self) -> None:
        sent = ExportTraceServiceRequest.FromString(
            self.rfile.read(int(self.headers["Content-Length"])))
        self.server.names += [span.name for resource in sent.resource_spans
                              for scope in resource.scope_spans for span in scope.spans]
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_hub_process_exports_its_spans_to_the_collector(settings: Settings) -> None:
    collector = _Collector()
    serving = threading.Thread(target=collector.serve_forever, daemon=True)
    serving.start()
    try:
        with running_hub(settings, TEST_JWT_SECRET, HUB_OTLP_ENDPOINT=collector.url,
                         OTEL_BSP_SCHEDULE_DELAY="100") as url:
            answer = httpx.post(f"{url}/graphql", json={"query": QUERY}, headers=STREET_ADMIN,
                                timeout=30)
            assert answer.status_code == 200
            deadline = time.monotonic() + 20
            while "POST /graphql" not in collector.names and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        collector.shutdown()
        collector.server_close()
    assert "POST /graphql" in collector.names
    assert any(name.startswith("graph read") for name in collector.names)
