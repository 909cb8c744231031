import type { Envelope, EventName, Events, MethodName, Params, RawTransport, Result } from '$shared/api';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    nstd?: RawTransport & { pathForFile?(file: File): string };
  }
}

/** Browser mode: the contract over HTTP POST, events over server-sent events (cookie auth). */
function httpTransport(): RawTransport {
  return {
    async call(name, params) {
      const res = await fetch(`/api/call/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(params ?? {}),
        credentials: 'same-origin',
      });
      if (res.status === 401) return { ok: false, error: { code: 'E_AUTH', message: 'Not authorised: open the URL that `nstd serve` printed.' } };
      return (await res.json()) as Envelope;
    },
    subscribe(listener) {
      const es = new EventSource('/api/events');
      const handlers: [string, (e: MessageEvent) => void][] = [];
      for (const name of ['job.update', 'job.log', 'workspace.changed']) {
        const h = (e: MessageEvent): void => listener(name, JSON.parse(e.data as string) as unknown);
        es.addEventListener(name, h);
        handlers.push([name, h]);
      }
      return () => es.close();
    },
  };
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const transport: RawTransport = window.nstd ?? httpTransport();
export const host: 'electron' | 'browser' = window.nstd ? 'electron' : 'browser';

/** The typed client over whichever transport this host has. */
export async function invoke<K extends MethodName>(name: K, params: Params<K>): Promise<Result<K>> {
  const r = await transport.call(name, params);
  if (!r.ok) throw new ApiError(r.error.code, r.error.message);
  return r.result as Result<K>;
}

type Listener = (payload: never) => void;
const listeners = new Map<string, Set<Listener>>();
let unsubscribe: (() => void) | null = null;

export function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  unsubscribe ??= transport.subscribe((name, payload) => {
    for (const l of listeners.get(name) ?? []) (l as (p: unknown) => void)(payload);
  });
  let set = listeners.get(event);
  if (!set) listeners.set(event, (set = new Set()));
  set.add(listener as Listener);
  return () => set.delete(listener as Listener);
}

/**
 * Turns dropped or picked files into paths the core can read: Electron gives the real path;
 * browser mode streams the file up to the core first.
 */
export async function filesToPaths(files: FileList | File[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of Array.from(files)) {
    if (window.nstd) {
      // The desktop app reads files where they are; one without a path (dragged from a web
      // page) cannot be imported.
      const p = window.nstd.pathForFile?.(f);
      if (!p) throw new ApiError('E_INVALID', `"${f.name}" has no path on disk (dragged from a web page?). Save it to a file first, then import that file.`);
      out.push(p);
      continue;
    }
    const res = await fetch(`/api/upload?name=${encodeURIComponent(f.name)}`, { method: 'POST', body: f, credentials: 'same-origin' });
    const env = (await res.json()) as Envelope<{ path: string }>;
    if (!env.ok) throw new ApiError(env.error.code, env.error.message);
    out.push(env.result.path);
  }
  return out;
}
