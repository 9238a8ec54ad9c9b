'use strict';
// string-width for @inquirer/core's line wrapping (wrap-ansi measures every word on every redraw):
// printable ASCII, once colour codes are removed, is as wide as it is long; only other text pays for the
// library's emoji regex. Swapped in for wrap-ansi's import by scripts/build.mjs.
const stringWidth = require('string-width');

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

module.exports = (text) => {
  if (typeof text === 'string') {
    const plain = text.replace(SGR, '');
    if (PRINTABLE_ASCII.test(plain)) return plain.length;
  }
  return stringWidth(text);
};
