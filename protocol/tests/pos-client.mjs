#!/usr/bin/env node
// An independent Kushki ONE Connect POS client, written from the algorithm text in
// shared/reference/kushki-api.md section 1.5 alone (not from the Rust code), using only Node's
// built-in `crypto`. The Rust test `protocol/tests/auth.rs` drives it to check that the Rust
// verifier accepts what another implementation produces, and the other way round.
//
// Sign and encrypt a request (prints one JSON line {"authorization","timestamp","body"}):
//   node pos-client.mjs [--iv <32 hex>] [--ascii] <businessCode> <serial> <ts> '<payload json>'
// The payload is JSON.parse'd and signed as JSON.stringify({...payload, key}); the encrypted
// plaintext is JSON.stringify(payload). --ascii escapes every non-ASCII character as \uXXXX in
// both (like Python's json.dumps default ensure_ascii=True); --iv fixes the IV.
//
// Decrypt a response (prints the plaintext):
//   node pos-client.mjs <businessCode> <serial> --decrypt <ts> <data | {"data":...}>

import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

function fail(message) {
  process.stderr.write(`pos-client: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let ivHex = null;
let ascii = false;
let decryptMode = false;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--iv") {
    ivHex = args[++i];
  } else if (args[i] === "--ascii") {
    ascii = true;
  } else if (args[i] === "--decrypt") {
    decryptMode = true;
  } else {
    positional.push(args[i]);
  }
}
if (positional.length !== 4) {
  fail("usage: pos-client.mjs [--iv HEX] [--ascii] [--decrypt] <businessCode> <serial> <ts> <payload|data>");
}
const [businessCode, serial, tsText, last] = positional;
const timestamp = Number.parseInt(tsText, 10);
if (!Number.isSafeInteger(timestamp) || String(timestamp) !== tsText) {
  fail(`bad timestamp ${tsText}`);
}

// Step 2: formattedDate, UTC, YYYY:MM:DD:HH:MM, zero-padded.
function formattedDate(ts) {
  const d = new Date(ts * 1000);
  const two = (n) => String(n).padStart(2, "0");
  return [d.getUTCFullYear(), two(d.getUTCMonth() + 1), two(d.getUTCDate()), two(d.getUTCHours()), two(d.getUTCMinutes())].join(":");
}

// password = md5_hex(padEnd(token + formattedDate, 32, "0")), token = businessCode + serial.
function password(ts) {
  const token = businessCode + serial;
  return createHash("md5").update((token + formattedDate(ts)).padEnd(32, "0"), "utf8").digest("hex");
}

// aesKey = utf8((str(ts) + "___" + password)[0:32]).
function aesKey(ts) {
  return Buffer.from((String(ts) + "___" + password(ts)).slice(0, 32), "utf8");
}

function serialise(value) {
  const text = JSON.stringify(value);
  if (!ascii) return text;
  return text.replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

if (decryptMode) {
  let data = last;
  if (data.startsWith("{")) data = JSON.parse(data).data;
  const [ivPart, ctPart] = data.split(":");
  const decipher = createDecipheriv("aes-256-cbc", aesKey(timestamp), Buffer.from(ivPart, "hex"));
  const plaintext = Buffer.concat([decipher.update(Buffer.from(ctPart, "hex")), decipher.final()]);
  process.stdout.write(plaintext.toString("utf8") + "\n");
} else {
  const payload = JSON.parse(last);
  const pw = password(timestamp);
  // encodedKeyTimestamp = base64(password + str(ts)).
  const key = Buffer.from(pw + String(timestamp), "utf8").toString("base64");
  // signature = sha512_hex(base64(json({...requestData, key}))).
  const signed = serialise({ ...payload, key });
  const signature = createHash("sha512").update(Buffer.from(signed, "utf8").toString("base64"), "utf8").digest("hex");
  // body = {"data": hex(iv) + ":" + hex(AES-256-CBC-PKCS7(aesKey, iv, json(requestData)))}.
  const iv = ivHex === null ? randomBytes(16) : Buffer.from(ivHex, "hex");
  if (iv.length !== 16) fail("the IV must be 16 bytes");
  const cipher = createCipheriv("aes-256-cbc", aesKey(timestamp), iv);
  const ciphertext = Buffer.concat([cipher.update(serialise(payload), "utf8"), cipher.final()]);
  const data = iv.toString("hex") + ":" + ciphertext.toString("hex");
  process.stdout.write(
    JSON.stringify({ authorization: "Basic " + signature, timestamp: String(timestamp), body: JSON.stringify({ data }) }) + "\n",
  );
}
