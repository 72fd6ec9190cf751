// Headers for the pages. The pages load only their own files and the two vendored
// libraries from this server, and talk only to /graphql (HTTP and websockets,
// which 'self' covers): no inline script, no other origin, no framing.
// Styles allow 'unsafe-inline' because lightweight-charts injects a <style> element
// for its attribution logo and the pages set a few style attributes; styles cannot
// run script.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** security headers for every static response (pages, their scripts and the vendored libraries) */
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
