#!/usr/bin/env python3
"""Seeds tests/fuzz/corpus/<target>/ from tests/fixtures (and examples/timelined.toml).

Deterministic: rerunning it rewrites the same files. Inputs a fuzzer found (crashes fixed
since, interesting cases) live in the same folders under names starting with "found-";
this script leaves those alone. Keep the total small (< 300 KB): ctest replays it all.

    tests/fuzz/seed_corpus.py          # from the repository root or anywhere
"""
import gzip
import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures"
OUT = ROOT / "tests" / "fuzz" / "corpus"
E2E = FIX / "e2e" / "payments"


def reset(target):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    for f in d.iterdir():
        if not f.name.startswith("found-"):
            f.unlink()
    return d


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    (OUT / target / name).write_bytes(data)


def copy(target, paths):
    for p in paths:
        put(target, p.name, p.read_bytes())


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


def main():
    # PagerDuty webhooks: every fixture but the REST shapes.
    reset("pagerduty_webhook")
    copy("pagerduty_webhook",
         [p for p in sorted((FIX / "pagerduty").glob("*.json"))
          if not p.name.startswith(("log_entries", "rest_"))] + sorted(E2E.glob("*_pd_*.json")))

    reset("pagerduty_log_entries")
    copy("pagerduty_log_entries", sorted((FIX / "pagerduty").glob("log_entries_page*.json")))

    reset("slack_events")
    copy("slack_events", [p for p in sorted((FIX / "slack").glob("*.json"))
                          if not p.name.startswith(("replies_", "users_"))] + sorted(E2E.glob("*_slack_*.json")))

    reset("slack_web_api")
    copy("slack_web_api", sorted((FIX / "slack").glob("replies_*.json")) +
         sorted((FIX / "slack").glob("users_*.json")))

    # One Event object per file: the single fixtures and each item of the kubectl List.
    reset("k8s_event")
    k8s = [p for p in sorted((FIX / "kubernetes").glob("*.json"))
           if not p.name.endswith(".expected.json") and p.name != "kubectl_list.json"]
    copy("k8s_event", k8s)
    items = json.loads((FIX / "kubernetes" / "kubectl_list.json").read_text())["items"]
    for i, item in enumerate(items):
        put("k8s_event", f"kubectl_list_item{i}.json", json.dumps(item, indent=1))

    # Watch streams: the whole NDJSON file and its first lines alone.
    reset("k8s_watch_line")
    watch = (FIX / "kubernetes" / "watch_stream.ndjson").read_text()
    put("k8s_watch_line", "watch_stream.ndjson", watch)
    for i, line in enumerate(watch.splitlines()[:3]):
        put("k8s_watch_line", f"watch_stream_line{i}.json", line + "\n")
    put("k8s_watch_line", "error_gone.json",
        '{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}}\n')

    reset("kubectl_import")
    copy("kubectl_import", [FIX / "kubernetes" / n for n in
                            ("kubectl_list.json", "kubectl_watch.txt", "kubectl_watch_events.txt",
                             "watch_stream.ndjson", "combined.json")])

    reset("kubeconfig")
    kc = FIX / "kubernetes" / "kubeconfig.yaml"
    copy("kubeconfig", [kc])
    put("kubeconfig", "flow_json.json",
        compact({"apiVersion": "v1", "kind": "Config", "current-context": "prod",
                 "contexts": [{"name": "prod", "context": {"cluster": "c", "user": "u"}}],
                 "clusters": [{"name": "c", "cluster": {"server": "https://10.0.0.1:6443",
                                                        "certificate-authority-data": "Zm9v"}}],
                 "users": [{"name": "u", "user": {"token": "abc"}}]}))

    reset("logs_json")
    logs = FIX / "logs"
    copy("logs_json", [logs / "fluentbit_json_array.json", logs / "fluentbit_json_lines.ndjson",
                       logs / "fluentbit_json_stream.json",
                       logs / "vector_ndjson_no_trailing_newline.ndjson", E2E / "01_logs.ndjson"])

    reset("logs_text")
    copy("logs_text", [logs / "plain.txt"])
    put("logs_text", "crlf_levels.txt",
        "2026-03-14T09:20:00Z ERROR payment failed\r\nWARN slow\r\n\r\n\tinfo: ok\n")

    reset("logs_loki")
    copy("logs_loki", [logs / "loki_push.json"])
    put("logs_loki", "metadata.json", compact(
        {"streams": [{"stream": {"app": "payments", "level": "error"},
                      "values": [["1773480000000000000", "boom", {"trace_id": "abc"}],
                                 ["1773480000000000001", "again"]]}]}))

    # Loki protobuf pushes (after snappy), written with the wire format by hand (pb_*), and
    # snappy blocks of them (literal runs plus one back-reference).
    def pb_varint(v):
        out = bytearray()
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        out.append(v)
        return bytes(out)

    def pb_len(field, data):
        if isinstance(data, str):
            data = data.encode()
        return pb_varint(field << 3 | 2) + pb_varint(len(data)) + data

    def pb_entry(ns, line, meta=()):
        ts = pb_varint(1 << 3) + pb_varint(ns // 10**9) + pb_varint(2 << 3) + pb_varint(ns % 10**9)
        return pb_len(1, ts) + pb_len(2, line) + b"".join(
            pb_len(3, pb_len(1, k) + pb_len(2, v)) for k, v in meta)

    def pb_stream(labels, entries):
        return pb_len(1, pb_len(1, labels) + b"".join(pb_len(2, e) for e in entries))

    def snappy_literal(data):
        out = bytearray(pb_varint(len(data)))
        for i in range(0, len(data), 60):
            chunk = data[i:i + 60]
            out.append((len(chunk) - 1) << 2)
            out += chunk
        return bytes(out)

    loki_pb = {
        "loki_push.pb": pb_stream('{app="payments", level="error", namespace="prod"}', [
            pb_entry(1773480070482913000, "gateway timeout"),
            pb_entry(1773480071000000000, "gateway timeout again",
                     [("trace_id", "abc123"), ("user", "u1")])]) +
        pb_stream('{host="web-1", job="varlogs"}', [pb_entry(1773480072000000000, "INFO started")]),
        "escaped_labels.pb": pb_stream('{a="q\\"b\\\\\\u00e9\\x41", b="2",}', [pb_entry(1, "x")]),
        "no_timestamp.pb": pb_stream("{}", [pb_len(2, "no ts")]),
    }
    reset("logs_loki_proto")
    for name, data in loki_pb.items():
        put("logs_loki_proto", name, data)
    reset("snappy")
    for name, data in loki_pb.items():
        put("snappy", name + ".snappy", snappy_literal(data))
    # "abc" then a copy of 8 bytes at offset 3 (tag 01, 1-byte offset): "abcabcabcab".
    put("snappy", "copy1.snappy", pb_varint(11) + bytes([2 << 2]) + b"abc" + bytes([(8 - 4) << 2 | 1, 3]))

    # OTLP/HTTP logs (ExportLogsServiceRequest) as protobuf, by hand from logs.proto and
    # common.proto, and as OTLP/JSON; one target takes both.
    def pb_fixed64(field, v):
        return pb_varint(field << 3 | 1) + v.to_bytes(8, "little")

    def pb_kv(key, any_value):
        return pb_len(1, key) + pb_len(2, any_value)

    def otlp_request(resource_attrs, records, scope=b""):
        resource = b"".join(pb_len(1, pb_kv(k, pb_len(1, v))) for k, v in resource_attrs)
        scope_logs = (pb_len(1, scope) if scope else b"") + b"".join(pb_len(2, r) for r in records)
        return pb_len(1, pb_len(1, resource) + pb_len(2, scope_logs))

    otlp_record = (pb_fixed64(1, 1773480070482913000) + pb_varint(2 << 3) + pb_varint(17) +
                   pb_len(3, "ERROR") + pb_len(5, pb_len(1, "payment timeout")) +
                   pb_len(6, pb_kv("http.status", pb_varint(3 << 3) + pb_varint(503))) +
                   pb_len(9, bytes(range(16))) + pb_len(10, bytes(range(8))))
    otlp_kvlist = (pb_fixed64(11, 1773480071000000000) + pb_len(3, "WARN") +
                   pb_len(5, pb_len(6, pb_len(1, pb_kv("msg", pb_len(1, "slow"))) +
                                    pb_len(1, pb_kv("n", pb_fixed64(4, 0x4004000000000000))))) +
                   pb_len(12, "checkout.slow"))
    reset("logs_otlp")
    put("logs_otlp", "k8s.pb", otlp_request(
        [("k8s.namespace.name", "prod"), ("k8s.deployment.name", "checkout"),
         ("service.name", "checkout-svc")], [otlp_record, otlp_kvlist],
        scope=pb_len(1, "io.opentelemetry.java") + pb_len(2, "1.40.0")))
    put("logs_otlp", "no_body.pb", otlp_request([], [pb_fixed64(1, 1)]))
    put("logs_otlp", "k8s.json", compact({"resourceLogs": [{
        "resource": {"attributes": [
            {"key": "k8s.namespace.name", "value": {"stringValue": "prod"}},
            {"key": "k8s.pod.name", "value": {"stringValue": "api-5f7d8c9b4-abcde"}}]},
        "scopeLogs": [{"scope": {"name": "otel", "version": "1"}, "logRecords": [
            {"timeUnixNano": "1773480070482913000", "severityNumber": 17, "severityText": "ERROR",
             "body": {"stringValue": "payment timeout"},
             "attributes": [{"key": "n", "value": {"intValue": "-5"}}],
             "traceId": "000102030405060708090a0b0c0d0e0f", "spanId": "0001020304050607"},
            {"observedTimeUnixNano": 1773480071000000000, "body": {"arrayValue": {"values": [
                {"boolValue": True}, {"doubleValue": 2.5}, {"bytesValue": "AP8="},
                {"kvlistValue": {"values": [{"key": "k", "value": {}}]}}]}}}]}]}]}))
    put("logs_otlp", "snake.json", compact({"resource_logs": [{"scope_logs": [{"log_records": [
        {"time_unix_nano": 5, "event_name": "x"}]}]}]}))

    # gzip: each log fixture compressed (mtime 0: stable bytes), and two members back to back.
    reset("gunzip")
    for p in sorted(logs.iterdir()):
        put("gunzip", p.name + ".gz", gzip.compress(p.read_bytes(), mtime=0))
    put("gunzip", "two_members.gz",
        gzip.compress(b"first\n", mtime=0) + gzip.compress(b"second\n", mtime=0))

    # Kafka message values: the summarizer fixture's events as version-1 messages.
    reset("kafka_codec")
    events = json.loads((FIX / "summarizer" / "payments_bad_deploy.json").read_text())["events"]
    for i, e in enumerate(events[:12]):
        put("kafka_codec", f"event{i:02d}.json", compact({"v": 1, **e}))
    put("kafka_codec", "wrong_version.json", compact({"v": 2, **events[0]}))

    reset("verify_markdown")
    md = (FIX / "summarizer" / "payments_bad_deploy.expected.md").read_text()
    put("verify_markdown", "payments_bad_deploy.md", md)
    lines = md.splitlines(keepends=True)
    put("verify_markdown", "head.md", "".join(lines[:40]))
    put("verify_markdown", "tail.md", "".join(lines[-40:]))

    reset("config")
    copy("config", [ROOT / "examples" / "timelined.toml"])
    put("config", "minimal.toml", '[server]\nlisten = "127.0.0.1:0"\n[store]\npath = "x.db"\n')

    # Raw HTTP requests for the in-process router (token "fuzz-token", see the target).
    reset("http_request")
    auth = "Authorization: Bearer fuzz-token\r\n"

    def req(name, method, target, body=b"", headers=""):
        if isinstance(body, str):
            body = body.encode()
        head = f"{method} {target} HTTP/1.1\r\nHost: localhost\r\n{headers}"
        if body or method == "POST":
            head += f"Content-Length: {len(body)}\r\n"
        put("http_request", name, head.encode() + b"\r\n" + body)

    req("healthz.http", "GET", "/healthz")
    req("readyz.http", "GET", "/readyz")
    req("metrics.http", "GET", "/metrics")
    req("incidents.http", "GET", "/v1/incidents?limit=5", headers=auth)
    req("incident_events.http", "GET", "/v1/incidents/Q1PAYMNT7/events?from=0", headers=auth)
    req("event_pct.http", "GET", "/v1/events/pd%2Fx", headers=auth)
    req("timeline_md.http", "GET", "/v1/incidents/Q1PAYMNT7/timeline.md", headers=auth)
    req("no_auth.http", "GET", "/v1/incidents")
    req("method.http", "DELETE", "/healthz")
    req("ingest_logs.http", "POST", "/ingest/logs?namespace=prod&app=payments",
        (logs / "fluentbit_json_lines.ndjson").read_bytes(),
        auth + "Content-Type: application/json\r\n")
    req("ingest_logs_text.http", "POST", "/ingest/logs", (logs / "plain.txt").read_bytes(),
        auth + "Content-Type: text/plain\r\n")
    req("ingest_logs_gzip.http", "POST", "/ingest/logs",
        gzip.compress((logs / "fluentbit_json_array.json").read_bytes(), mtime=0),
        auth + "Content-Type: application/json\r\nContent-Encoding: gzip\r\n")
    req("loki.http", "POST", "/loki/api/v1/push", (logs / "loki_push.json").read_bytes(),
        auth + "Content-Type: application/json\r\n")
    req("ingest_k8s.http", "POST", "/ingest/kubernetes",
        (FIX / "kubernetes" / "combined.json").read_bytes(), auth)
    req("ingest_events.http", "POST", "/ingest/events",
        compact({"source": "deploy", "source_ref": "r1", "kind": "deploy.finished",
                 "occurred_at": "2026-03-14T09:20:00Z", "summary": "v1.43.0"}),
        auth + "Content-Type: application/json\r\n")
    req("pd_webhook.http", "POST", "/webhooks/pagerduty",
        (FIX / "pagerduty" / "pagey_ping.json").read_bytes(),
        "X-PagerDuty-Signature: v1=00\r\nContent-Type: application/json\r\n")
    req("bindings.http", "POST", "/v1/incidents/Q1PAYMNT7/bindings",
        compact({"kind": "scope", "key": "k8s/payments/payments-api"}), auth)
    put("http_request", "chunked.http",
        b"POST /ingest/logs HTTP/1.1\r\nHost: x\r\n" + auth.encode() +
        b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
        b"b\r\n{\"log\":\"hi\"\r\n1\r\n}\r\n0\r\n\r\n")

    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"{sum(1 for f in OUT.rglob('*') if f.is_file())} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
