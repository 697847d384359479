// Push notifications through a stand-in push service on this machine: the parent's browser is
// subscribed with keys made here (Chromium's own push service cannot be local), the tutor writes
// to the class's parents, and the stand-in receives a message it decrypts with the browser's keys
// (RFC 8291) and whose VAPID signature verifies with the key the page offered (RFC 8292).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { startKlade, launchBrowser, login, accessibilityProblems } from './harness.mjs';

let klade;
let browser;
let service;
const received = [];

before(async () => {
  service = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201).end();
    });
  });
  await new Promise((r) => service.listen(0, '127.0.0.1', r));
  klade = await startKlade({ env: { KLADE_PUSH_HOSTS: '127.0.0.1' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await klade?.stop();
  service?.close();
});

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** RFC 8291 / RFC 8188: the message as the browser reads it. */
function decrypt(body, ua, auth) {
  const salt = body.subarray(0, 16);
  const idlen = body[20];
  const serverKey = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), serverKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ua.computeSecret(serverKey), auth, info, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end -= 1;
  assert.equal(plain[end], 2, 'the last record ends with its delimiter');
  return JSON.parse(plain.subarray(0, end).toString('utf8'));
}

test('a parent subscribes a browser and receives a message through the push service, encrypted and signed', async () => {
  const ua = createECDH('prime256v1');
  ua.generateKeys();
  const auth = randomBytes(16);
  const endpoint = `http://127.0.0.1:${service.address().port}/push/ilze`;

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const parent = await phone.newPage();
  await login(parent, klade.url, 'vecaks');
  await parent.goto(`${klade.url}/account`);
  const form = parent.locator('form[data-push-key]');
  const key = await form.getAttribute('data-push-key');
  // What `PushManager.subscribe` would give, filled in for the page's own script to send.
  await form.evaluate((f, s) => {
    f.elements.endpoint.value = s.endpoint;
    f.elements.p256dh.value = s.p256dh;
    f.elements.auth.value = s.auth;
  }, { endpoint, p256dh: b64url(ua.getPublicKey()), auth: b64url(auth) });
  await parent.getByRole('button', { name: 'Ieslēgt paziņojumus šajā ierīcē' }).click();
  await parent.getByText('Paziņojumi šajā ierīcē ieslēgti.').waitFor();
  await parent.getByLabel('jauna vēstule — paziņojumā ierīcē').check();
  await parent.getByRole('button', { name: 'Saglabāt' }).first().click();
  await parent.getByText('Paziņojumu izvēle saglabāta.').waitFor();
  assert.deepEqual(await accessibilityProblems(parent), []);

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tutor = await desk.newPage();
  await login(tutor, klade.url, 'audzinataja');
  await tutor.goto(`${klade.url}/messages/new`);
  await tutor.getByLabel('Kam').selectOption({ label: '2.B — vecāki' });
  await tutor.getByLabel('Temats').fill('Sporta diena');
  await tutor.getByLabel('Teksts').fill('Rīt līdzi sporta tērps.');
  await tutor.getByRole('button', { name: 'Sūtīt' }).click();
  await tutor.getByText('Vēstule nosūtīta.').waitFor();

  for (let i = 0; i < 40 && received.length === 0; i += 1) await new Promise((r) => setTimeout(r, 250));
  assert.equal(received.length, 1, 'the push service got one message');
  const { headers, body } = received[0];
  assert.equal(headers['content-encoding'], 'aes128gcm');
  assert.ok(!body.toString('latin1').includes('Sporta'), 'the service cannot read it');
  const message = decrypt(body, ua, auth);
  assert.match(message.body, /Sporta diena/);

  const [, token, k] = headers.authorization.match(/^vapid t=([^,]+), k=(.+)$/);
  assert.equal(k, key, 'signed with the key the page offered');
  const [head, claims, signature] = token.split('.');
  assert.equal(JSON.parse(Buffer.from(claims, 'base64url')).aud, `http://127.0.0.1:${service.address().port}`);
  const point = Buffer.from(k, 'base64url');
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) },
    format: 'jwk',
  });
  assert.ok(verify('sha256', Buffer.from(`${head}.${claims}`), { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url')), 'the VAPID signature verifies');
  await phone.close();
  await desk.close();
});
