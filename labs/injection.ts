/**
 * Lab: injection. The same login, product search and audit log run in real SQLite (sql.js), once with the
 * SQL built by string concatenation and once with bound parameters, against classic payloads; then stored
 * XSS: comments stored safely in SQL are served by a real HTTP server on 127.0.0.1, unescaped, unescaped
 * behind a Content-Security-Policy, and escaped for each output context. Every count comes from the rows
 * SQLite returned and from scanning the HTML the server sent.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { startServer } from '../src/labs/http-harness.js';
import { wrapCode } from '../src/labs/lab-code-wrap.js';
import { escapeHtml, findExecutable, jsonForScript, safeUrl } from '../src/labs/lab-html-escape.js';
import { openSqlite, type Sqlite } from '../src/labs/sqlite.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const rowCount = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;

interface Attempt {
  readonly id: string;
  readonly label: string;
  readonly input: string;
  readonly concatSql: string;
  readonly concat: string;
  readonly bound: string;
  readonly concatRows: number;
  readonly boundRows: number;
  /** The attack achieved its goal on the concatenated version. */
  readonly exploited: boolean;
  readonly exploitedBound: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// The application's data access, written twice

function concatenated(db: Sqlite) {
  return {
    login: (username: string, password: string) => {
      const sql = `SELECT id, username, role FROM users WHERE username = '${username}' AND password_hash = '${sha256(password)}'`;
      return { sql, rows: db.all<{ id: number; username: string; role: string }>(sql) };
    },
    search: (category: string) => {
      const sql = `SELECT name, price_cents FROM products WHERE category = '${category}'`;
      return { sql, rows: db.all<{ name: string; price_cents: number | string }>(sql) };
    },
    /** The audit log is written with the multi-statement API (no parameters: sqlite3_exec). */
    audit: (username: string) => {
      const sql = `INSERT INTO audit (event) VALUES ('login failed for ${username}')`;
      db.run(sql);
      return { sql };
    },
  };
}

function parameterised(db: Sqlite) {
  return {
    login: (username: string, password: string) => db.all<{ id: number; username: string; role: string }>('SELECT id, username, role FROM users WHERE username = ? AND password_hash = ?', [username, sha256(password)]),
    search: (category: string) => db.all<{ name: string; price_cents: number | string }>('SELECT name, price_cents FROM products WHERE category = ?', [category]),
    audit: (username: string) => db.run('INSERT INTO audit (event) VALUES (?)', [`login failed for ${username}`]),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Stored comments, rendered three ways

interface Comment {
  readonly author: string;
  readonly website: string;
  readonly body: string;
}

type Variant = 'raw' | 'raw+csp' | 'escaped+csp';

function renderPage(comments: readonly Comment[], variant: Variant, nonce: string): string {
  const escape = variant === 'escaped+csp';
  const text = escape ? escapeHtml : (s: string) => s;
  const url = escape ? (s: string) => escapeHtml(safeUrl(s)) : (s: string) => s;
  const latest = comments[comments.length - 1];
  // The same data in three contexts: HTML text, a quoted attribute (and a URL), and an inline <script>.
  const items = comments.map((c) => `<li><a href="${url(c.website)}" title="${text(c.author)}">${text(c.author)}</a>: ${text(c.body)}</li>`);
  const island = escape ? jsonForScript(latest ?? null) : JSON.stringify(latest ?? null);
  return [
    '<!doctype html>',
    '<html><head><title>Comments</title></head><body>',
    '<h1>Comments</h1>',
    '<ul>',
    ...items,
    '</ul>',
    `<script nonce="${nonce}">window.__LATEST__ = ${island};</script>`,
    '</body></html>',
  ].join('\n');
}

function post(port: number, path: string, form: Record<string, string>): Promise<number> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    // agent: false, so the connection closes with the response and leaves nothing open.
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------------------

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const userCount = Math.max(3, Math.round(ctx.params.users ?? 50));
  const db = await openSqlite(ctx);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(ctx.rng() * 16).toString(16)).join('');

  db.run(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL, role TEXT NOT NULL);
    CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, price_cents INTEGER NOT NULL);
    CREATE TABLE audit (id INTEGER PRIMARY KEY, event TEXT NOT NULL);
    CREATE TABLE comments (id INTEGER PRIMARY KEY, author TEXT NOT NULL, website TEXT NOT NULL, body TEXT NOT NULL);
  `);
  db.run('BEGIN');
  const names = ['alice', 'mallory', ...Array.from({ length: userCount - 2 }, (_, i) => `user${String(i + 3).padStart(4, '0')}`)];
  // Seeded passwords, so the run is reproducible; a real store uses a slow, salted hash (scrypt, argon2).
  for (const name of names) db.run('INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?)', [name, sha256(hex(16)), name === 'alice' ? 'admin' : 'user']);
  const products = [
    ['USB-C cable', 'cables', 900],
    ['HDMI cable', 'cables', 1200],
    ['Mechanical keyboard', 'keyboards', 8900],
    ['Travel keyboard', 'keyboards', 4900],
    ['27" monitor', 'monitors', 27900],
  ] as const;
  for (const [name, category, price] of products) db.run('INSERT INTO products (name, category, price_cents) VALUES (?, ?, ?)', [name, category, price]);
  db.run('COMMIT');

  const bad = concatenated(db);
  const good = parameterised(db);
  const role = (u: string) => String(db.get<{ role: string }>('SELECT role FROM users WHERE username = ?', [u])?.role);

  out.say(
    `A shop in real SQLite: ${userCount} users (alice is the admin, mallory the attacker), ${products.length} products, an audit log. Each query runs twice: SQL built by concatenating the input, and SQL with ? placeholders and bound parameters.`,
  );

  // --- 1. SQL injection ------------------------------------------------------------------------------------
  out.heading('1. SQL injection: concatenated vs bound parameters');
  const normal = bad.search('cables');
  const normalBound = good.search('cables').length;
  const same = normal.rows.length === normalBound;
  out.step(
    same ? `A normal search for "cables" returns ${normal.rows.length} rows either way` : `A normal search for "cables": ${normal.rows.length} rows concatenated, ${normalBound} bound`,
    same ? 'Both versions answer honest input identically; the difference only shows with hostile input.' : 'The two versions should agree on honest input; here they did not.',
    { concat: normal.rows.length, bound: normalBound },
  );

  let predictedLogin: number | undefined;
  const orPayload = "' OR '1'='1' --";
  if (ctx.prompts) {
    predictedLogin = await ctx.prompts.predictChoice(`username ${orPayload} and any password: how many user rows does the concatenated login return?`, ['0: the password is wrong', '1: the first user', `all ${userCount}`]);
  }

  const attempts: Attempt[] = [];
  {
    const c = bad.login(orPayload, 'whatever');
    const b = good.login(orPayload, 'whatever');
    attempts.push({
      id: 'or-true',
      label: "' OR '1'='1' --",
      input: `username ${orPayload}`,
      concatSql: c.sql,
      concat: `${rowCount(c.rows.length)}, in as ${c.rows[0]?.username ?? '-'}`,
      bound: rowCount(b.length),
      concatRows: c.rows.length,
      boundRows: b.length,
      exploited: c.rows.length > 0,
      exploitedBound: b.length > 0,
    });
  }
  {
    const payload = "alice' --";
    const c = bad.login(payload, 'not-her-password');
    const b = good.login(payload, 'not-her-password');
    attempts.push({
      id: 'comment-out',
      label: "alice' --",
      input: `username ${payload}`,
      concatSql: c.sql,
      concat: `${rowCount(c.rows.length)}, in as ${c.rows[0]?.username ?? '-'} (${c.rows[0]?.role ?? '-'})`,
      bound: rowCount(b.length),
      concatRows: c.rows.length,
      boundRows: b.length,
      exploited: c.rows.some((r) => r.username === 'alice'),
      exploitedBound: b.some((r) => r.username === 'alice'),
    });
  }
  {
    const payload = "x' UNION SELECT username, password_hash FROM users --";
    const c = bad.search(payload);
    const b = good.search(payload);
    const leaked = c.rows.filter((r) => names.includes(r.name)).length;
    attempts.push({
      id: 'union',
      label: 'UNION SELECT … FROM users',
      input: `search ${payload}`,
      concatSql: c.sql,
      concat: `${leaked} users + hashes`,
      bound: rowCount(b.length),
      concatRows: leaked,
      boundRows: b.filter((r) => names.includes(r.name)).length,
      exploited: leaked > 0,
      exploitedBound: b.some((r) => names.includes(r.name)),
    });
  }
  {
    const payload = "x'); UPDATE users SET role = 'admin' WHERE username = 'mallory'; --";
    const before = role('mallory');
    const c = bad.audit(payload);
    const afterConcat = role('mallory');
    db.run("UPDATE users SET role = 'user' WHERE username = 'mallory'");
    good.audit(payload);
    const afterBound = role('mallory');
    const stored = db.get<{ event: string }>('SELECT event FROM audit ORDER BY id DESC LIMIT 1')?.event ?? '';
    attempts.push({
      id: 'stacked',
      label: 'stacked ; UPDATE',
      input: `username ${payload}`,
      concatSql: c.sql,
      concat: `mallory: ${before} → ${afterConcat}`,
      bound: afterBound !== 'admin' && stored.endsWith(payload) ? 'logged as text' : `mallory: ${afterBound}`,
      concatRows: afterConcat === 'admin' ? 1 : 0,
      boundRows: afterBound === 'admin' ? 1 : 0,
      exploited: afterConcat === 'admin',
      exploitedBound: afterBound === 'admin',
    });
  }

  for (const a of attempts) {
    // The 64-character hashes are shortened for the screen; SQLite received them whole.
    out.code(wrapCode(`-- ${a.input}\n${a.concatSql.replace(/'([0-9a-f]{8})[0-9a-f]{56}'/g, "'$1…'")}`, 76, 4));
  }
  out.table([['payload', 'concatenated', 'bound parameters'], ...attempts.map((a) => [a.label, a.concat, a.bound])]);
  const orTrue = attempts[0]!;
  if (predictedLogin !== undefined) {
    const actual = orTrue.concatRows === 0 ? 0 : orTrue.concatRows === 1 ? 1 : 2;
    out.say(predictedLogin === actual ? 'Your prediction matched what SQLite returned.' : `SQLite returned ${orTrue.concatRows} rows.`);
  }
  const exploited = attempts.filter((a) => a.exploited).length;
  const exploitedBound = attempts.filter((a) => a.exploitedBound).length;
  out.step(
    `Concatenated: ${exploited} of ${attempts.length} attacks worked; bound: ${exploitedBound}`,
    "The quote in the input ends the string literal, and what follows is parsed as SQL: OR '1'='1' makes the WHERE true for every row, -- comments out the password check, UNION appends another table's rows, and ; starts a second statement. With placeholders the SQL text is compiled first and the input is only ever a value, so the same strings match nothing and are stored as plain text.",
    { exploited, exploitedBound, attempts: attempts.map((a) => ({ id: a.id, concatRows: a.concatRows, boundRows: a.boundRows, exploited: a.exploited, exploitedBound: a.exploitedBound })) },
  );
  const stacked = attempts.find((a) => a.id === 'stacked')!;
  // The same stacked payload through the SELECT path, which compiles one statement with prepare().
  db.run("UPDATE users SET role = 'user' WHERE username = 'mallory'");
  let selectError = '';
  try {
    bad.login("x'; UPDATE users SET role = 'admin' WHERE username = 'mallory'; --", 'x');
  } catch (e) {
    selectError = e instanceof Error ? e.message : String(e);
  }
  const viaSelect = role('mallory');
  out.step(
    `Stacked: the audit INSERT made mallory ${stacked.exploited ? 'admin' : 'nothing new'}; the SELECT left her ${viaSelect}`,
    `Whether a second statement runs depends on the API: the audit log used the multi-statement call (sqlite3_exec, like PHP's multi_query or node-postgres without parameters), while the SELECT went through prepare(), which compiles only the first statement${selectError ? ` (it failed: ${selectError})` : viaSelect === 'admin' ? ', yet mallory still became admin' : ' and silently ignored the rest'}. Bound parameters are the fix for both; the API difference is luck, not a defence.`,
    { viaAudit: stacked.exploited, viaSelectRole: viaSelect, selectError },
  );

  // --- 2. Stored XSS ----------------------------------------------------------------------------------------
  out.heading('2. Stored XSS: safe in SQL, live in HTML');
  const nonce = Buffer.from(hex(32), 'hex').toString('base64'); // seeded here; per response from crypto.randomBytes in a real app
  const csp = `default-src 'self'; script-src 'nonce-${nonce}'; object-src 'none'; base-uri 'none'`;
  const server = await startServer(ctx, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/comments') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const f = new URLSearchParams(body);
        // Bound parameters: no SQL injection, and the text is stored exactly as sent.
        db.run('INSERT INTO comments (author, website, body) VALUES (?, ?, ?)', [f.get('author') ?? '', f.get('website') ?? '', f.get('body') ?? '']);
        res.writeHead(303, { location: '/comments' });
        res.end();
      });
      return;
    }
    const variant = url.searchParams.get('v') as Variant | null;
    if (url.pathname !== '/comments' || !variant || !['raw', 'raw+csp', 'escaped+csp'].includes(variant)) {
      res.writeHead(404);
      res.end();
      return;
    }
    const comments = db.all<{ author: string; website: string; body: string }>('SELECT author, website, body FROM comments ORDER BY id');
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
    if (variant !== 'raw') headers['content-security-policy'] = csp;
    res.writeHead(200, headers);
    res.end(renderPage(comments, variant, nonce));
  });

  const submitted: Comment[] = [
    { author: 'bob', website: 'https://bob.example', body: 'Great post, thanks!' },
    { author: 'mallory', website: 'https://mallory.example', body: "<script>fetch('/steal?c='+document.cookie)</script>" },
    { author: 'mallory', website: 'https://mallory.example', body: '<img src=x onerror="alert(document.domain)">' },
    { author: 'mallory" onmouseover="alert(2)', website: 'javascript:alert(1)', body: 'hover my name' },
    { author: 'mallory', website: 'https://mallory.example', body: '</script><script>alert(3)</script>' },
  ];
  const statuses: number[] = [];
  for (const c of submitted) statuses.push(await post(server.port, '/comments', { ...c }));
  const stored = db.all<{ author: string; website: string; body: string }>('SELECT author, website, body FROM comments ORDER BY id');
  const intact = stored.filter((s, i) => s.author === submitted[i]?.author && s.website === submitted[i]?.website && s.body === submitted[i]?.body).length;
  out.step(
    `${submitted.length} comments POSTed (${statuses.join(', ')}); ${intact} stored byte for byte`,
    `The INSERT used bound parameters, so none of this was SQL injection${intact === submitted.length ? ', and the payloads sit in the database unchanged, as they should: the database stores text' : ''}. Whether they become code is decided when the text is put into HTML.`,
    { statuses, stored: stored.length, intact },
  );

  let predictedXss: number | undefined;
  if (ctx.prompts) {
    predictedXss = await ctx.prompts.predictChoice('served into HTML without escaping, do the stored payloads run in a browser?', [
      'no: bound parameters already made the input safe',
      'yes: parameters protect the SQL, not the HTML',
    ]);
  }

  interface PageResult {
    readonly variant: Variant;
    readonly status: number;
    readonly csp: boolean;
    readonly injected: number;
    readonly runs: number;
    readonly kinds: Record<string, number>;
    readonly breakout: boolean;
    readonly snippets: readonly string[];
  }
  const pages: PageResult[] = [];
  const served: Record<string, string> = {};
  for (const variant of ['raw', 'raw+csp', 'escaped+csp'] as const) {
    const r = await server.get(`/comments?v=${encodeURIComponent(variant)}`);
    served[variant] = r.body;
    const policy = String(r.headers['content-security-policy'] ?? '');
    const allowedNonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    const found = findExecutable(r.body);
    // The page's own script carries the nonce; everything else executable came from a comment.
    const injected = found.filter((f) => !(f.kind === 'script' && f.nonce === nonce));
    // Under script-src 'nonce-…' without 'unsafe-inline', a browser runs only scripts with that nonce:
    // no other inline script, no on…= handler, no javascript: URL.
    const runs = policy ? injected.filter((f) => f.kind === 'script' && allowedNonce !== undefined && f.nonce === allowedNonce).length : injected.length;
    const own = found.findIndex((f) => f.kind === 'script' && f.nonce === nonce);
    // An injected <script> after the page's own one: the JSON island was closed early by a '</script>'.
    const breakout = own >= 0 && found.slice(own + 1).some((f) => f.kind === 'script');
    const kinds: Record<string, number> = {};
    for (const f of injected) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
    pages.push({ variant, status: r.status, csp: policy !== '', injected: injected.length, runs, kinds, breakout, snippets: injected.map((f) => f.snippet) });
  }
  const listOf = (html: string) => html.split('\n').filter((l) => l.startsWith('<li>') || l.startsWith('<script')).join('\n');
  out.say('The comment list and the inline script as served, unescaped (?v=raw):');
  out.code(wrapCode(listOf(served.raw ?? ''), 76, 4));
  out.say('…and escaped for each context (?v=escaped+csp):');
  out.code(wrapCode(listOf(served['escaped+csp'] ?? ''), 76, 4));
  out.say('The two ?v=…+csp pages are served with this header (a fresh nonce per response in a real app):');
  out.code(wrapCode(`Content-Security-Policy: ${csp}`, 76, 4));
  out.table([
    ['page', 'CSP header', 'injected executable', 'allowed to run'],
    ...pages.map((p) => [p.variant, p.csp ? 'yes' : 'no', p.injected, p.runs]),
  ]);
  const raw = pages[0]!;
  const rawCsp = pages[1]!;
  const escaped = pages[2]!;
  if (predictedXss !== undefined) {
    out.say(
      (predictedXss === 1) === raw.runs > 0
        ? 'Your prediction matched the served page.'
        : `The unescaped page carries ${raw.runs} executable ${raw.runs === 1 ? 'payload' : 'payloads'} that no policy blocks.`,
    );
  }
  // Which context each payload broke, read from what the scan found on the unescaped page.
  const broke = [
    (raw.kinds.script ?? 0) > (raw.breakout ? 1 : 0) || raw.snippets.some((s) => /^onerror/i.test(s)) ? 'markup in HTML text' : '',
    raw.snippets.some((s) => /^onmouseover/i.test(s)) ? 'a quote that closed the title attribute and added a handler' : '',
    raw.kinds['javascript-url'] ? 'a javascript: URL in href' : '',
    raw.breakout ? "a '</script>' inside the JSON that closed the page's own script early, so the <script> after it became real" : '',
  ].filter(Boolean);
  out.step(
    `Unescaped: ${raw.injected} injected (${Object.entries(raw.kinds).map(([k, v]) => `${v} ${k}`).join(', ')})`,
    raw.injected === 0 ? 'Nothing executable came through.' : `Each context broke its own way: ${broke.slice(0, -1).join(', ')}${broke.length > 1 ? ', and ' : ''}${broke.at(-1) ?? ''}.`,
    { ...raw, snippets: [...raw.snippets] },
  );
  out.step(
    `Escaped for each context: ${escaped.injected} injected`,
    'HTML text and attributes get entities (&lt; &quot;), the URL is checked against an allow-list of schemes, and the JSON in the script has every < written as \\u003c. One escape function is not enough: each context has its own rules.',
    { ...escaped, snippets: [...escaped.snippets] },
  );
  out.step(
    `CSP on the unescaped page: ${rawCsp.injected} injected, ${rawCsp.runs} allowed to run`,
    `script-src 'nonce-…' lets a browser run only scripts carrying this response's nonce, and without 'unsafe-inline' it also refuses inline handlers and javascript: URLs. That is defence in depth: the markup is still injected (an attacker can still deface the page or inject a form), so escaping stays the primary fix.`,
    { ...rawCsp, snippets: [...rawCsp.snippets] },
  );

  const attackName: Readonly<Record<string, string>> = { 'or-true': 'OR-true', 'comment-out': 'comment-out', union: 'UNION', stacked: 'stacked statements' };
  const worked = attempts.filter((a) => a.exploited).map((a) => attackName[a.id] ?? a.id);
  out.takeaways([
    `Concatenating input into SQL lets a quote end the literal: ${worked.length ? `${worked.slice(0, -1).join(', ')}${worked.length > 1 ? ' and ' : ''}${worked.at(-1)} ${worked.length === 1 ? 'was' : 'were'} exploited here (${worked.length} of ${attempts.length})` : `none of the ${attempts.length} attacks worked in this run`}.`,
    `Bound parameters send the SQL and the values separately; ${exploitedBound === 0 ? 'the same payloads matched nothing and were stored as text' : `yet ${exploitedBound} of the payloads got through here`}.`,
    'Parameters protect the SQL, not the HTML: escape on output, for the context (text, attribute, URL, script), with a template engine that does it by default.',
    "Add a nonce-based Content-Security-Policy as defence in depth, so one missed escape does not run the attacker's script.",
  ]);

  return {
    users: userCount,
    sql: {
      normalSearch: normal.rows.length,
      exploited,
      exploitedBound,
      attempts: attempts.map((a) => ({ id: a.id, concatRows: a.concatRows, boundRows: a.boundRows, exploited: a.exploited, exploitedBound: a.exploitedBound })),
      stackedViaSelectRole: viaSelect,
    },
    xss: {
      posted: statuses,
      storedIntact: intact,
      pages: pages.map((p) => ({ variant: p.variant, status: p.status, csp: p.csp, injected: p.injected, runs: p.runs, kinds: { ...p.kinds } })),
    },
  };
}
