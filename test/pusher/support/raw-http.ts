import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent with a Content-Length. */
  body?: string | Buffer;
  /** Sent with Transfer-Encoding: chunked, one write per element. */
  chunks?: Array<string | Buffer>;
}

/** One request with exactly the given method, path, headers and body framing (no fetch normalisation). */
export function rawRequest(port: number, r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(r.headers ?? {}) };
    if (r.body !== undefined) headers['content-length'] = Buffer.byteLength(r.body);
    const req = http.request({ host: '127.0.0.1', port, method: r.method ?? 'POST', path: r.path, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (r.chunks) {
      for (const c of r.chunks) req.write(c);
      req.end();
    } else req.end(r.body);
  });
}

/** Signs a REST request the way the `pusher` SDK does (auth_version 1.0, body_md5 over the raw bytes). */
export function signedPath(path: string, body: string | Buffer | undefined, key: string, secret: string, method = 'POST', params: Record<string, string> = {}): string {
  const query: Record<string, string> = { auth_key: key, auth_timestamp: String(Math.floor(Date.now() / 1000)), auth_version: '1.0', ...params };
  if (body !== undefined && Buffer.byteLength(body) > 0) query.body_md5 = createHash('md5').update(body).digest('hex');
  const q = Object.keys(query)
    .sort()
    .map((k) => `${k}=${query[k]}`)
    .join('&');
  const sig = createHmac('sha256', secret).update(`${method}\n${path}\n${q}`).digest('hex');
  return `${path}?${q}&auth_signature=${sig}`;
}

/**
 * Several requests written in one TCP write on one connection (HTTP pipelining), so that the server
 * parses them all in the same turn of its event loop. Answers in order (Content-Length bodies).
 */
export function pipelined(port: number, requests: Array<{ path: string; headers: Record<string, string>; body: string }>): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const wire = requests
      .map((r) => {
        const headers = { host: '127.0.0.1', ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
        return `POST ${r.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${r.body}`;
      })
      .join('');
    const socket = net.connect(port, '127.0.0.1', () => socket.write(wire));
    let buffer = Buffer.alloc(0);
    const answers: RawResponse[] = [];
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) break;
        const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers: http.IncomingHttpHeaders = {};
        for (const line of lines.slice(1)) {
          const i = line.indexOf(':');
          headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) break;
        const text = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
        buffer = buffer.subarray(end + 4 + length);
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        answers.push({ status: Number(lines[0].split(' ')[1]), headers, text, json });
      }
      if (answers.length === requests.length) {
        socket.destroy();
        resolve(answers);
      }
    });
    socket.on('error', reject);
  });
}
