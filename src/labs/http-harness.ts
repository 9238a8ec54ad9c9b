/** A real HTTP server on 127.0.0.1 (ephemeral port) and a client for it, both cleaned up by the lab's defer. */
import { Agent, createServer, request, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { LabContext } from './types.js';

export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Milliseconds from sending to the last body byte. */
  readonly ms: number;
}

export interface LocalServer {
  readonly port: number;
  get(path: string, headers?: Record<string, string>): Promise<HttpReply>;
}

/**
 * Listen on 127.0.0.1 (an ephemeral port) with a server the lab built itself (raw TCP, an HTTP server whose
 * events it watches), closed with every open connection when the lab ends or is stopped. Returns the port.
 */
export async function listenLocal(ctx: Pick<LabContext, 'defer' | 'signal'>, server: NetServer, onClose?: () => void): Promise<number> {
  // A lab stopped between two phases must not open a new server.
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  ctx.defer(
    () =>
      new Promise<void>((resolve) => {
        onClose?.();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: a lab never listens on the learner's network.
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export async function startServer(ctx: Pick<LabContext, 'defer' | 'signal'>, handler: RequestListener): Promise<LocalServer> {
  const server: Server = createServer(handler);
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const port = await listenLocal(ctx, server, () => agent.destroy());
  return {
    port,
    get(path, headers = {}) {
      const start = performance.now();
      return new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent, headers }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - start }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    },
  };
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
