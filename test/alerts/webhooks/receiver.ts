import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/** How the receiver answers the n-th request (0-based) on a path; 'hang' never answers. */
export type Answer = { status: number; body?: unknown } | 'hang';

/** A real HTTP endpoint on 127.0.0.1 and an ephemeral port that records what the robots would receive. */
export class Receiver {
  readonly received: Received[] = [];
  private readonly hung: ServerResponse[] = [];
  private readonly server = createServer((req, res) => this.handle(req, res));
  private port = 0;

  constructor(private readonly answer: (path: string, n: number) => Answer = () => ({ status: 200, body: {} })) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Answers the requests left hanging, oldest first. */
  release(status = 200, body: unknown = { errcode: 0, errmsg: 'ok' }): void {
    for (const res of this.hung.splice(0)) this.reply(res, { status, body });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const n = this.on(path).length;
      const text = Buffer.concat(chunks).toString('utf8');
      this.received.push({ path, headers: req.headers, body: text ? JSON.parse(text) : undefined });
      const answer = this.answer(path, n);
      if (answer === 'hang') this.hung.push(res);
      else this.reply(res, answer);
    });
  }

  private reply(res: ServerResponse, answer: { status: number; body?: unknown }): void {
    if (answer.body === undefined) res.writeHead(answer.status).end();
    else res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  }
}
