import { Hono } from 'hono';

/** Liveness: answers without touching the database, so it stays up while the database is not. */
export function healthRoutes() {
  return new Hono().get('/healthz', function healthz(c) {
    return c.json({ ok: true });
  });
}
