// A round-robin HTTP proxy for the bench's scale-out run: each request goes to the next of UPSTREAMS (ports on
// 127.0.0.1), over keep-alive connections; status, headers and body are passed through as they are. Loopback only,
// no retries, no health checks: it is there to put two API processes behind one address, nothing more.
// Env: PORT, UPSTREAMS (comma-separated ports).
import { Agent, createServer, request } from 'node:http';

const upstreams = (process.env.UPSTREAMS ?? '')
  .split(',')
  .filter(Boolean)
  .map((p) => Number(p));
if (upstreams.length === 0 || upstreams.some((p) => !Number.isInteger(p) || p <= 0)) {
  console.error('UPSTREAMS: comma-separated ports of the API processes, e.g. 4001,4002');
  process.exit(1);
}
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let next = 0;

const server = createServer((req, res) => {
  const port = upstreams[next++ % upstreams.length]!;
  const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
