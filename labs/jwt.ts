/**
 * Lab: JSON Web Tokens, signed and verified with node:crypto only (createHmac, sign/verify, timingSafeEqual).
 * The token's parts are decoded, then attacked: a tampered payload, an expired token (virtual clock), alg
 * "none" and the RS256→HS256 key confusion, each tried against a naive verifier that trusts the header and a
 * strict one that pins the algorithm; then revocation by jti. Last, the same tokens sent to a real HTTP server.
 */
import { createHmac, generateKeyPair, randomBytes, sign as rsaSign, timingSafeEqual, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { startServer } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

interface Claims {
  readonly sub: string;
  readonly role: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

type Verdict = { readonly ok: true; readonly claims: Claims } | { readonly ok: false; readonly reason: string };

const b64json = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const fromB64json = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

function hmac(input: string, secret: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

function signHs256(claims: object, secret: Buffer | string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const input = `${b64json(header)}.${b64json(claims)}`;
  return `${input}.${hmac(input, secret).toString('base64url')}`;
}

function signRs256(claims: object, privateKey: KeyObject): string {
  const input = `${b64json({ alg: 'RS256', typ: 'JWT' })}.${b64json(claims)}`;
  return `${input}.${rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

interface Parsed {
  readonly header: { readonly alg?: unknown };
  readonly claims: Claims;
  readonly input: string;
  readonly signature: Buffer;
}

function parse(token: string): Parsed | string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'malformed: not three parts';
  const [h, p, s] = parts as [string, string, string];
  try {
    return { header: fromB64json(h) as Parsed['header'], claims: fromB64json(p) as Claims, input: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return 'malformed: not base64url JSON';
  }
}

/** exp is a NumericDate: the token is valid while now < exp (+ leeway for clock skew between servers). */
function checkTime(claims: Claims, now: number, leeway: number): string | undefined {
  if (typeof claims.exp !== 'number') return 'no exp claim';
  if (now >= claims.exp + leeway) return `expired: past exp + ${leeway} s leeway`;
  return undefined;
}

interface StrictOptions {
  /** Pinned by the server's configuration, never read from the token. */
  readonly alg: 'HS256' | 'RS256';
  readonly key: Buffer | KeyObject;
  readonly now: number;
  readonly leeway: number;
  readonly revoked?: ReadonlyMap<string, number>;
}

function verifyStrict(token: string, o: StrictOptions): Verdict {
  try {
    return strict(token, o);
  } catch (error) {
    return { ok: false, reason: `error: ${(error as Error).message}` };
  }
}

function strict(token: string, o: StrictOptions): Verdict {
  const t = parse(token);
  if (typeof t === 'string') return { ok: false, reason: t };
  if (t.header.alg !== o.alg) return { ok: false, reason: `alg ${String(t.header.alg)} refused (pinned ${o.alg})` };
  let valid: boolean;
  if (o.alg === 'HS256') {
    const expected = hmac(t.input, o.key as Buffer);
    // timingSafeEqual throws on different lengths; the length of an HMAC is no secret.
    valid = t.signature.length === expected.length && timingSafeEqual(t.signature, expected);
  } else {
    valid = rsaVerify('sha256', Buffer.from(t.input), o.key as KeyObject, t.signature);
  }
  if (!valid) return { ok: false, reason: 'signature mismatch' };
  const late = checkTime(t.claims, o.now, o.leeway);
  if (late) return { ok: false, reason: late };
  if (o.revoked?.has(t.claims.jti)) return { ok: false, reason: 'revoked: jti on the blocklist' };
  return { ok: true, claims: t.claims };
}

/**
 * The classic bug: the verifier lets the token's header choose the algorithm, and uses whatever key
 * material the service was configured with (an HMAC secret, or an RSA public key in PEM).
 */
function verifyNaive(token: string, keyMaterial: Buffer | string, now: number, leeway: number): Verdict {
  try {
    return naive(token, keyMaterial, now, leeway);
  } catch (error) {
    return { ok: false, reason: `error: ${(error as Error).message}` };
  }
}

function naive(token: string, keyMaterial: Buffer | string, now: number, leeway: number): Verdict {
  const t = parse(token);
  if (typeof t === 'string') return { ok: false, reason: t };
  let valid: boolean;
  if (t.header.alg === 'none') valid = true;
  else if (t.header.alg === 'HS256') valid = t.signature.equals(hmac(t.input, keyMaterial));
  else if (t.header.alg === 'RS256') valid = rsaVerify('sha256', Buffer.from(t.input), keyMaterial, t.signature);
  else return { ok: false, reason: `unknown alg ${String(t.header.alg)}` };
  if (!valid) return { ok: false, reason: 'signature mismatch' };
  const late = checkTime(t.claims, now, leeway);
  if (late) return { ok: false, reason: late };
  return { ok: true, claims: t.claims };
}

const verdictText = (v: Verdict) => (v.ok ? `accepted (sub ${v.claims.sub}, role ${v.claims.role})` : `rejected: ${v.reason}`);
const verdictData = (v: Verdict) => (v.ok ? { ok: true, role: v.claims.role } : { ok: false, reason: v.reason });

/** Long base64url parts, cut to fit an 80-column terminal. */
function chunk(text: string, width = 64): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out.length ? out : [''];
}

function showToken(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string?];
  const label = (name: string, part: string | undefined) => chunk(part || '(empty)').map((l, i) => `${(i === 0 ? name : '').padEnd(9)} ${l}`);
  return [...label('header', h), ...label('payload', p), ...label('signature', s)].join('\n');
}

const hex = (rng: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join('');

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out, rng } = ctx;
  const ttl = ctx.params.ttl ?? 900;
  const leeway = ctx.params.leeway ?? 30;

  // Virtual clock: JWT times are whole seconds since 1970; the lab moves "now" instead of waiting.
  const clock = { now: 1_750_000_000 };
  const secret = randomBytes(32);
  const claimsFor = (sub: string, role: string): Claims => ({ sub, role, iat: clock.now, exp: clock.now + ttl, jti: hex(rng, 16) });
  const alice = claimsFor(`user-${1000 + Math.floor(rng() * 9000)}`, 'user');

  out.say(
    `An API signs its session tokens with HS256: HMAC-SHA256 under a 32-byte server secret (crypto.randomBytes). Lifetime ${ttl} s, clock-skew leeway ${leeway} s. Times below come from a virtual clock that the lab moves forward, so no one waits ${ttl} s.`,
  );

  // 1. Anatomy.
  out.heading('1. Three base64url parts, signed but not encrypted');
  const token = signHs256(alice, secret);
  out.code(showToken(token));
  const parts = token.split('.');
  const decoded = fromB64json(parts[1]!) as Claims;
  out.code(`Buffer.from(payload, 'base64url').toString()\n${JSON.stringify(decoded, null, 2)}`);
  out.step(
    `${parts.length} parts; the payload decoded without any key: sub ${decoded.sub}, role ${decoded.role}`,
    'The header and payload are only base64url-encoded JSON: anyone holding the token can read them. The signature (HMAC of "header.payload") proves who issued it and that it was not changed; it hides nothing. Never put secrets in a JWT.',
    { parts: parts.length, decodedSub: decoded.sub, signatureBytes: Buffer.from(parts[2]!, 'base64url').length },
  );
  const strictHs = (t: string, extra: Partial<StrictOptions> = {}) => verifyStrict(t, { alg: 'HS256', key: secret, now: clock.now, leeway, ...extra });
  const fresh = strictHs(token);
  out.step(`Verified as issued: ${verdictText(fresh)}`, 'The verifier recomputes the HMAC over the first two parts and compares it with the third using crypto.timingSafeEqual.', verdictData(fresh));

  // 2. Tampering.
  out.heading('2. Edit the payload, keep the signature');
  const forgedClaims = { ...decoded, role: 'admin' };
  const tampered = `${parts[0]}.${b64json(forgedClaims)}.${parts[2]}`;
  const tamperedParsed = parse(tampered) as Parsed;
  const recomputed = hmac(tamperedParsed.input, secret).toString('base64url');
  out.code(`payload  {…, "role": "admin"}  →  ${b64json(forgedClaims).slice(0, 24)}…\nsignature in token     ${parts[2]!.slice(0, 43)}\nHMAC of new parts      ${recomputed.slice(0, 43)}`);
  const tamperedVerdict = strictHs(tampered);
  out.step(
    `role "user" → "admin": ${verdictText(tamperedVerdict)}`,
    'Changing one byte of the payload changes the HMAC completely; without the secret the attacker cannot compute the matching signature.',
    { ...verdictData(tamperedVerdict), signaturesDiffer: recomputed !== parts[2] },
  );

  // 3. Expiry on the virtual clock.
  out.heading(`3. exp with a ${leeway} s leeway (virtual clock)`);
  const times = [
    { label: 'iat + 60 s', at: alice.iat + 60 },
    { label: `exp ${signed(leeway - 1)} s`, at: alice.exp + leeway - 1 },
    { label: `exp ${signed(leeway)} s`, at: alice.exp + leeway },
    { label: `exp + ${leeway + 60} s`, at: alice.exp + leeway + 60 },
  ];
  const expiry = times.map(({ label, at }) => ({ label, at, verdict: strictHs(token, { now: at }) }));
  out.table([
    ['virtual now', 'now − exp (s)', 'verdict'],
    ...expiry.map((e) => [e.label, e.at - alice.exp, e.verdict.ok ? 'accepted' : e.verdict.reason]),
  ]);
  const lastOk = [...expiry].reverse().find((e) => e.verdict.ok);
  const firstNo = expiry.find((e) => !e.verdict.ok);
  out.step(
    `Last accepted at exp ${signed(lastOk ? lastOk.at - alice.exp : 0)} s; first rejected at exp ${signed(firstNo ? firstNo.at - alice.exp : 0)} s`,
    'The signature stays valid forever; only the exp claim ends the token, checked against the verifier\'s own clock. The leeway tolerates small skew between the issuer\'s and the verifier\'s clocks; keep it to seconds, since it extends every token\'s life.',
    { rows: expiry.map((e) => ({ secondsPastExp: e.at - alice.exp, ok: e.verdict.ok })) },
  );

  // 4. alg: none.
  out.heading('4. alg "none": a token with no signature');
  const noneToken = `${b64json({ alg: 'none', typ: 'JWT' })}.${b64json({ ...alice, role: 'admin' })}.`;
  out.code(showToken(noneToken));
  let guessedNone: number | undefined;
  if (ctx.prompts) {
    guessedNone = await ctx.prompts.predictChoice('a verifier that reads alg from the header gets this token (alg none, empty signature, role admin). It…', [
      'rejects it: there is no signature to check',
      'accepts it as a valid admin token',
      'throws an error',
    ]);
  }
  const noneNaive = verifyNaive(noneToken, secret, clock.now, leeway);
  const noneStrict = strictHs(noneToken);
  if (guessedNone !== undefined) out.say(guessedNone === (noneNaive.ok ? 1 : 0) ? 'Right, see below.' : `Not what happened: the naive verifier ${noneNaive.ok ? 'accepted it' : 'rejected it'}.`);
  out.step(`Naive verifier (trusts the header): ${verdictText(noneNaive)}`, noneNaive.ok ? 'The header said "no signature", so it checked none: anyone can now mint an admin token. RFC 7518 lists "none" for tokens already protected by other means; a server must never accept it from clients.' : 'This naive verifier happened to refuse it.', { verifier: 'naive', ...verdictData(noneNaive) });
  out.step(`Strict verifier: ${verdictText(noneStrict)}`, 'Its algorithm is pinned to HS256 by the server\'s configuration, never read from the token: anything else is refused before any signature check.', { verifier: 'strict', ...verdictData(noneStrict) });

  // 5. RS256 → HS256 key confusion.
  out.heading('5. Key confusion: RS256 public key used as an HMAC secret');
  // Async: the 2048-bit key is generated on the libuv threadpool, so Ctrl-C still gets through.
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const rsToken = signRs256(claimsFor(alice.sub, 'user'), privateKey);
  out.say(
    'A second service signs with RS256: the issuer holds the RSA private key, verifiers hold the public key, which is published (JWKS endpoint, docs). The naive verifier is configured with that public key as a PEM string and, again, lets the header pick the algorithm.',
  );
  const rsNaive = verifyNaive(rsToken, publicPem, clock.now, leeway);
  const rsStrict = verifyStrict(rsToken, { alg: 'RS256', key: publicKey, now: clock.now, leeway });
  out.step(`A genuine RS256 token: naive ${rsNaive.ok ? 'accepts' : 'rejects'}, strict ${rsStrict.ok ? 'accepts' : 'rejects'}`, 'Both verify the RSA signature with the public key.', { naive: rsNaive.ok, strict: rsStrict.ok });
  const confused = signHs256({ ...alice, jti: hex(rng, 16), role: 'admin' }, publicPem);
  out.code(`// the attacker has only public information\n// header {"alg":"HS256"}, HMAC keyed with the published PEM\nsignHs256({ ...claims, role: 'admin' }, publicKeyPem)`);
  const confNaive = verifyNaive(confused, publicPem, clock.now, leeway);
  const confStrict = verifyStrict(confused, { alg: 'RS256', key: publicKey, now: clock.now, leeway });
  out.step(
    `Naive verifier: ${verdictText(confNaive)}`,
    confNaive.ok
      ? 'Header says HS256, so it computes an HMAC keyed with the only key it has, the public key PEM: the same bytes the attacker used. The forgery verifies.'
      : 'This naive verifier happened to refuse it.',
    { verifier: 'naive', ...verdictData(confNaive) },
  );
  out.step(
    `Strict verifier: ${verdictText(confStrict)}`,
    'It is pinned to RS256 for this key. Holding keys as KeyObjects helps too: node:crypto refuses to use a public KeyObject as an HMAC secret.',
    { verifier: 'strict', ...verdictData(confStrict) },
  );

  // 6. Revocation.
  out.heading('6. Revocation: a jti blocklist');
  const blocklist = new Map<string, number>(); // jti → exp: an entry is useless once the token expired anyway
  const phone = signHs256(claimsFor(alice.sub, 'user'), secret);
  const before = strictHs(token, { revoked: blocklist });
  blocklist.set(alice.jti, alice.exp);
  const after = strictHs(token, { revoked: blocklist });
  const other = strictHs(phone, { revoked: blocklist });
  out.step(`Before logout: ${verdictText(before)}`, 'A stateless token is valid until exp: the server keeps nothing it could delete.', { ...verdictData(before), blocklist: 0 });
  out.step(
    `After logout: ${verdictText(after)}`,
    `Logout put jti ${alice.jti} on the blocklist. The token's signature and exp are still fine (checked first); only the lookup refuses it. In production the blocklist is shared (e.g. Redis: SET revoked:<jti> 1 EXAT <exp>) and consulted on every request: a little state again.`,
    { ...verdictData(after), blocklist: blocklist.size },
  );
  out.step(`Same user, other session: ${verdictText(other)}`, 'A different jti: revocation is per token. "Log out everywhere" needs a per-user cut-off instead, e.g. reject tokens with iat before a stored timestamp.', verdictData(other));
  clock.now = alice.exp + leeway;
  for (const [jti, exp] of blocklist) if (clock.now >= exp + leeway) blocklist.delete(jti);
  const afterExpiry = strictHs(token, { revoked: blocklist });
  out.step(
    `At exp + ${leeway} s: ${verdictText(afterExpiry)}`,
    `The blocklist entry was purged (size now ${blocklist.size}): exp takes over, so the list only holds tokens revoked before they expire. Short lifetimes keep it small.`,
    { ...verdictData(afterExpiry), blocklist: blocklist.size },
  );
  clock.now = alice.iat;

  // 7. The same tokens against a real HTTP server.
  out.heading('7. The same tokens against a real HTTP server');
  const revokedAtServer = new Map<string, number>([[alice.jti, alice.exp]]);
  const server = await startServer(ctx, (req, res) => {
    const auth = req.headers.authorization ?? '';
    const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const now = Number(req.headers['x-virtual-now'] ?? clock.now);
    const [, service, mode] = (req.url ?? '').split('/');
    const v =
      mode === 'naive'
        ? verifyNaive(bearer, service === 'rs' ? publicPem : secret, now, leeway)
        : service === 'rs'
          ? verifyStrict(bearer, { alg: 'RS256', key: publicKey, now, leeway, revoked: revokedAtServer })
          : verifyStrict(bearer, { alg: 'HS256', key: secret, now, leeway, revoked: revokedAtServer });
    if (v.ok) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sub: v.claims.sub, role: v.claims.role }));
    } else {
      res.writeHead(401, { 'www-authenticate': `Bearer error="invalid_token", error_description="${v.reason}"` });
      res.end();
    }
  });
  const cases = [
    { name: 'valid HS256', service: 'hs', token: phone, now: clock.now },
    { name: 'payload tampered', service: 'hs', token: tampered, now: clock.now },
    { name: `expired (exp + ${leeway + 60} s)`, service: 'hs', token: phone, now: alice.exp + leeway + 60 },
    { name: 'alg none', service: 'hs', token: noneToken, now: clock.now },
    { name: 'revoked jti', service: 'hs', token, now: clock.now },
    { name: 'valid RS256', service: 'rs', token: rsToken, now: clock.now },
    { name: 'HS256 w/ public key', service: 'rs', token: confused, now: clock.now },
  ];
  const results: { name: string; naive: number; strict: number; strictReason: string; naiveRole: string }[] = [];
  for (const c of cases) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const headers = { authorization: `Bearer ${c.token}`, 'x-virtual-now': String(c.now) };
    const [naive, strict] = await Promise.all([server.get(`/${c.service}/naive`, headers), server.get(`/${c.service}/strict`, headers)]);
    const reason = /error_description="([^"]*)"/.exec(String(strict.headers['www-authenticate'] ?? ''))?.[1] ?? '';
    const naiveRole = naive.status === 200 ? String((JSON.parse(naive.body) as { role: string }).role) : '';
    results.push({ name: c.name, naive: naive.status, strict: strict.status, strictReason: reason, naiveRole });
  }
  out.say('GET /{service}/{naive|strict} with Authorization: Bearer <token>; a header carries the virtual time. Status codes as received:');
  out.table([
    ['token', 'naive', 'strict', "strict's reason (WWW-Authenticate)"],
    ...results.map((r) => [r.name, r.naive === 200 && r.naiveRole ? `200 ${r.naiveRole}` : r.naive, r.strict, shorten(r.strictReason, 32)]),
  ]);
  const exploited = results.filter((r) => r.naive === 200 && r.strict !== 200);
  out.step(
    `${exploited.length} token${exploited.length === 1 ? '' : 's'} accepted by the naive endpoint, refused by the strict one`,
    `${exploited.map((r) => r.name).join(', ') || 'None'}: each is a check the naive verifier skips, a pinned algorithm (alg none, key confusion) or the blocklist lookup.`,
    { exploited: exploited.map((r) => r.name) },
  );

  out.takeaways([
    'A JWT is signed, not encrypted: anyone can base64url-decode the header and payload.',
    'Verify with a pinned algorithm and key from configuration; never let the token header choose (alg none, RS256→HS256).',
    'Compare HMACs with crypto.timingSafeEqual after a length check; check exp with a leeway of seconds.',
    'Stateless tokens cannot be revoked by deleting anything: keep them short-lived, and add a jti blocklist (kept until exp) where logout must take effect at once.',
  ]);

  return {
    ttl,
    leeway,
    anatomy: { parts: parts.length, payloadReadable: decoded.sub === alice.sub, fresh: fresh.ok },
    tampered: verdictData(tamperedVerdict),
    expiry: expiry.map((e) => ({ secondsPastExp: e.at - alice.exp, ok: e.verdict.ok })),
    algNone: { naive: verdictData(noneNaive), strict: verdictData(noneStrict) },
    keyConfusion: { genuine: { naive: rsNaive.ok, strict: rsStrict.ok }, naive: verdictData(confNaive), strict: verdictData(confStrict) },
    revocation: { before: before.ok, after: verdictData(after), otherSession: other.ok, blocklistAfterExpiry: blocklist.size },
    http: results.map((r) => ({ name: r.name, naive: r.naive, strict: r.strict })),
  };
}

function signed(n: number): string {
  return n >= 0 ? `+ ${n}` : `− ${-n}`;
}

function shorten(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
