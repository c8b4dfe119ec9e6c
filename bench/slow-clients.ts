/**
 * `npm run bench:slow-clients`: what the local service does with clients that send slowly and
 * never finish (slowloris): headers dripped a byte at a time, a body dripped a byte at a time, a
 * body that never comes. Each probe runs until the server answers or closes, at most 330 s (past
 * even Node's default 300 s requestTimeout; the local service sets 10 s for headers and 30 s for
 * the whole request). Prints when and how each one ended, and that the server kept answering
 * others all along.
 */
import { rawConnection } from '../support/raw-http.ts';
import { fixed, machine, ms, summarize, table } from './lib/report.ts';
import { startBench } from './lib/setup.ts';

console.log(`# Slow clients\n\nMachine: ${machine()}\n`);
const bench = await startBench({ tableName: 'slow', service: 'in-process' });
const service = { url: bench.url };
const token = await bench.token('slow');
const t0 = performance.now();

async function probe(name: string, head: string, dripEveryMs: number) {
  const conn = await rawConnection(service.url);
  conn.send(head);
  let dripped = 0;
  const timer = setInterval(() => {
    conn.send(' ');
    dripped++;
  }, dripEveryMs);
  const res = await conn.response(330_000);
  clearInterval(timer);
  conn.socket.destroy();
  return [
    name,
    res ? fixed((performance.now() - t0) / 1000, 1) : '> 330',
    dripped,
    res ? (res.status ? res.head.split('\r\n')[0]! : 'connection closed, no answer') : 'still open',
  ];
}

// Meanwhile, an ordinary client: the server must keep answering it.
const health: number[] = [];
let stop = false;
const prober = (async () => {
  while (!stop) {
    const s = performance.now();
    const r = await fetch(`${service.url}/health`);
    await r.text();
    if (r.status === 200) health.push(performance.now() - s);
    await new Promise((r) => setTimeout(r, 500));
  }
})();

const auth = `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n`;
const rows = await Promise.all([
  probe('headers never finish (1 byte / 5 s)', 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ', 5000),
  probe(
    'body dripped (1 byte / 5 s of 60,000 declared)',
    `POST /workouts HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 60000\r\n\r\n{"notes":"`,
    5000,
  ),
  probe(
    'body never sent (100 bytes declared, 1 sent)',
    `POST /workouts HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 100\r\n\r\n{`,
    1e9,
  ),
]);
stop = true;
await prober;
console.log(table(['slow client', 'ended after s', 'bytes dripped', 'how it ended'], rows));
const h = summarize(health);
console.log(
  `\nMeanwhile GET /health from another client answered ${h.n} times, p50 ${ms(h.p50)} ms, max ${ms(h.max)} ms.`,
);
await bench.stop();
