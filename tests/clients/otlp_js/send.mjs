// Sends two log records to an OTLP/HTTP logs endpoint with the OpenTelemetry JS SDK's own
// exporter: @opentelemetry/exporter-logs-otlp-proto (protobuf) or -otlp-http (JSON).
//
//   node send.mjs URL proto|json
//
// Exit 0 when the exporter reports success for every record, 1 (with its error) otherwise.
// The records: an ERROR with a string body and an int attribute, and a WARN whose body is a
// map; the resource names a Kubernetes deployment. Bodies end in "(proto)" or "(json)".
import { SeverityNumber } from '@opentelemetry/api-logs';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';

const [url, encoding] = process.argv.slice(2);
if (!url || !['proto', 'json'].includes(encoding)) {
  console.error('usage: node send.mjs URL proto|json');
  process.exit(2);
}
const Exporter = encoding === 'json' ? JsonExporter : ProtoExporter;
const inner = new Exporter({ url });
let failure = null;
let exported = 0;
// The SDK's processors swallow export errors: keep the exporter's own result.
const exporter = {
  export(records, done) {
    inner.export(records, (result) => {
      if (result.code === 0) exported += records.length;
      else failure = result.error ?? new Error(`export result ${result.code}`);
      done(result);
    });
  },
  forceFlush: () => inner.forceFlush(),
  shutdown: () => inner.shutdown(),
};
const provider = new LoggerProvider({
  resource: resourceFromAttributes({
    'service.name': 'checkout-svc',
    'k8s.namespace.name': 'prod',
    'k8s.deployment.name': 'checkout',
  }),
  processors: [new SimpleLogRecordProcessor({ exporter })],
});
const logger = provider.getLogger('timelined-client-test', '1.0.0');
logger.emit({
  severityNumber: SeverityNumber.ERROR,
  severityText: 'ERROR',
  body: `payment timeout (${encoding})`,
  attributes: { 'http.status_code': 503 },
  timestamp: new Date('2026-03-14T09:21:10.482Z'),
});
logger.emit({
  severityNumber: SeverityNumber.WARN,
  body: { msg: `slow (${encoding})`, ms: 1500 },
  timestamp: new Date('2026-03-14T09:21:11Z'),
});
await provider.forceFlush();
await provider.shutdown();
if (failure) {
  console.error(`export failed: ${failure.message ?? failure}`);
  process.exit(1);
}
console.log(`exported ${exported} records`);
