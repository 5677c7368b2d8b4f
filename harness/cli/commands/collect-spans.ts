import { ZipkinCollector } from '../../observability/zipkin-collector';
import { onInterrupt } from '../../session/interrupts';
import { usageError } from '../../errors/harness-error';

/** The span collector as a server of its own (k8s/dapr-system/zipkin.yaml runs it in the cluster) until SIGTERM/SIGINT. */
export async function collectSpansCommand(opts: { host: string; port: string }): Promise<number> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw usageError('BAD_FLAG', `--port ${opts.port} is not a port number`, 'e.g. --port 9411');
  const collector = new ZipkinCollector({ host: opts.host, port });
  await collector.start();
  process.stderr.write(`collecting Zipkin spans on ${opts.host}:${collector.listeningPort} (POST /api/v2/spans, GET /api/v2/trace/<id>)\n`);
  await new Promise<void>((resolve) => {
    const stop = onInterrupt(() => {
      stop();
      resolve();
    });
  });
  await collector.stop();
  return 0;
}
