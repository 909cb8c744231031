/**
 * The renderer's Content-Security-Policy, sent by both hosts (Electron's app:// protocol and
 * browser mode's server): nothing is fetched from outside the app, no inline script.
 * renderer/index.html carries the same policy in a meta tag (without frame-ancestors, which
 * a meta tag cannot set).
 */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
