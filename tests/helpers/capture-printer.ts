import type { LabData, LabPrinter } from '../../src/labs/types.js';

export interface Captured {
  readonly printer: LabPrinter;
  readonly events: { type: string; text: string; data?: LabData }[];
  readonly text: () => string;
}

/** A printer that keeps every event, so tests can read what a lab said as well as what it returned. */
export function capturePrinter(): Captured {
  const events: Captured['events'] = [];
  const push = (type: string, text: string, data?: LabData) => void events.push({ type, text, ...(data ? { data } : {}) });
  return {
    events,
    text: () => events.map((e) => e.text).join('\n'),
    printer: {
      heading: (t) => push('heading', t),
      say: (t) => push('say', t),
      code: (t) => push('code', t),
      step: (what, why, data) => push('step', `${what} — ${why}`, data),
      figure: (label, value, note) => push('figure', `${label}: ${value}${note ? ` (${note})` : ''}`),
      table: (rows) => push('table', rows.map((r) => r.join(' | ')).join('\n')),
      bars: (rows, unit) => push('bars', rows.map((r) => `${r.label}: ${r.value}${unit ? ` ${unit}` : ''}`).join('\n')),
      takeaways: (lines) => push('takeaways', lines.join('\n')),
    },
  };
}

/** Handles that would keep a process alive or leak: servers, sockets, children, timers. */
export function liveHandles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => /TCP|Pipe|Process|Timeout|Immediate|FSReq/.test(r));
}
