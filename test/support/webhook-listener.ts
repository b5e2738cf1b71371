import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookListener {
  /** The URL to put in the secret; its path carries a token, as Slack's and Teams' do. */
  url: string;
  token: string;
  /** Parsed JSON bodies, in the order received. */
  received: unknown[];
  /** Raw requests: method, content type, body text. */
  requests: { method: string; contentType: string; body: string }[];
  /** The status answered from now on (500 to play a broken webhook). */
  answer(status: number): void;
  close(): Promise<void>;
}

/** A local incoming-webhook stand-in on 127.0.0.1: records every POST. */
export async function startWebhookListener(): Promise<WebhookListener> {
  const token = `T${Math.random().toString(36).slice(2)}X${Math.random().toString(36).slice(2)}`;
  let status = 200;
  const received: unknown[] = [];
  const requests: WebhookListener['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', contentType: req.headers['content-type'] ?? '', body });
      if (req.url === `/hooks/${token}`) {
        try {
          received.push(JSON.parse(body));
        } catch {
          received.push({ unparsable: body });
        }
      }
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : `failed for /hooks/${token}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/${token}`,
    token,
    received,
    requests,
    answer: (s) => (status = s),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
