/** Content is data: what must never reach a terminal is removed before it is rendered or stored compiled. */

// C0/C1 controls except tab and newline: an ESC in content could move the cursor, set a title or a hyperlink.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

// Whole escape sequences, so their parameters do not survive as visible junk: OSC (titles, hyperlinks)
// up to BEL or ST, CSI (cursor moves, clears, colours) in its 7-bit and C1 forms, and two-byte escapes.
// eslint-disable-next-line no-control-regex
const SEQUENCES = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;

/** Content is data: remove escape sequences and control characters before rendering it. */
export function sanitize(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/\t/g, '  ').replace(SEQUENCES, '').replace(CONTROL, '');
}
