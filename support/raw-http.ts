/**
 * HTTP/1.1 written by hand on a TCP socket, for requests that fetch refuses to send: a lying
 * Content-Length, a body dripped a byte at a time, headers fetch would normalise.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  head: string;
  body: string;
  /** Milliseconds from the first byte sent to the end of the response (or the socket closing). */
  ms: number;
}

/** Opens a connection; `send` writes pieces, `response` resolves when the server answers and closes or ends. */
export function rawConnection(url: string): Promise<{
  socket: Socket;
  send(data: string | Buffer): void;
  response(timeoutMs: number): Promise<RawResponse | null>;
}> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      const t0 = performance.now();
      const chunks: Buffer[] = [];
      let closed = false;
      socket.on('data', (d: Buffer) => chunks.push(d));
      const ended = new Promise<void>((r) => {
        socket.once('close', () => {
          closed = true;
          r();
        });
      });
      resolve({
        socket,
        send: (data) => {
          if (!socket.destroyed) socket.write(data);
        },
        async response(timeoutMs) {
          // Done when a whole response (per Content-Length) has arrived, or the socket closed.
          const deadline = performance.now() + timeoutMs;
          while (performance.now() < deadline) {
            const text = Buffer.concat(chunks).toString('latin1');
            const end = text.indexOf('\r\n\r\n');
            if (end >= 0) {
              const head = text.slice(0, end);
              const length = /\r\ncontent-length: *(\d+)/i.exec(head);
              const body = text.slice(end + 4);
              if ((length && body.length >= Number(length[1])) || closed) {
                return { status: Number(head.split(' ')[1]), head, body, ms: performance.now() - t0 };
              }
            } else if (closed) {
              return { status: 0, head: text, body: '', ms: performance.now() - t0 };
            }
            await Promise.race([ended, new Promise((r) => setTimeout(r, 20))]);
          }
          return null;
        },
      });
    });
    socket.once('error', reject);
  });
}
