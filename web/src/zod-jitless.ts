import { z } from "zod";

// Imported first by main.tsx, before any module builds a schema: zod then never probes
// `new Function`, which the CSP (script-src 'self', no 'unsafe-eval') would report as a violation.
z.config({ jitless: true });
