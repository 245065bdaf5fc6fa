import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { importSigningKey, JobRequestVerificationError, verifyJobRequest } from "../dist/index.js";
import { envelope, otherSecret, secret, signedRequest } from "./support/signing.js";

async function refusal(promise) {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof JobRequestVerificationError, `expected a refusal, got ${error}`);
  return error.code;
}

describe("verifyJobRequest", () => {
  it("accepts a request signed by Standard Webhooks and returns its envelope", async () => {
    const sent = envelope({ payload: { reportId: 42, name: "Ünïcødé ✓" } });
    const got = await verifyJobRequest(signedRequest({ body: sent }), secret);
    assert.deepEqual(got, sent);
  });

  it("accepts the secret without its whsec_ prefix, and as an imported key", async () => {
    const bare = secret.slice("whsec_".length);
    assert.equal((await verifyJobRequest(signedRequest(), bare)).id, 123);
    assert.equal((await verifyJobRequest(signedRequest(), await importSigningKey(secret))).id, 123);
  });

  it("refuses a signature made with another secret", async () => {
    assert.equal(await refusal(verifyJobRequest(signedRequest({ signWith: otherSecret }), secret)), "bad_signature");
  });

  it("refuses a tampered body", async () => {
    const body = JSON.stringify(envelope());
    const tampered = body.replace('"reportId":7', '"reportId":8');
    assert.notEqual(tampered, body);
    assert.equal(await refusal(verifyJobRequest(signedRequest({ body, sendBody: tampered }), secret)), "bad_signature");
  });

  it("refuses a tampered webhook-id or timestamp", async () => {
    const request = signedRequest({ headers: { "webhook-id": "job_124_1" } });
    assert.equal(await refusal(verifyJobRequest(request, secret)), "bad_signature");
    const at = new Date();
    const shifted = signedRequest({ at, headers: { "webhook-timestamp": String(Math.floor(at.getTime() / 1000) - 1) } });
    assert.equal(await refusal(verifyJobRequest(shifted, secret)), "bad_signature");
  });

  it("refuses a replayed old timestamp and one from the future, even correctly signed", async () => {
    const old = new Date(Date.now() - 301_000);
    assert.equal(await refusal(verifyJobRequest(signedRequest({ at: old }), secret)), "timestamp_too_old");
    const future = new Date(Date.now() + 301_000);
    assert.equal(await refusal(verifyJobRequest(signedRequest({ at: future }), secret)), "timestamp_too_new");
  });

  it("checks the timestamp against the given now and tolerance", async () => {
    const at = new Date("2026-12-02T21:00:00Z");
    const now = (seconds) => new Date(at.getTime() + seconds * 1000);
    assert.equal((await verifyJobRequest(signedRequest({ at }), secret, { now: now(300) })).id, 123);
    assert.equal(await refusal(verifyJobRequest(signedRequest({ at }), secret, { now: now(301) })), "timestamp_too_old");
    assert.equal(await refusal(verifyJobRequest(signedRequest({ at }), secret, { now: now(31), toleranceSeconds: 30 })),
      "timestamp_too_old");
  });

  it("accepts a header with several signatures when one of them is valid (a secret being rotated)", async () => {
    const good = signedRequest();
    const wrong = signedRequest({ signWith: otherSecret }).headers.get("webhook-signature");
    const both = new Request(good, { headers: { ...Object.fromEntries(good.headers),
      "webhook-signature": `${wrong} v2,abc ${good.headers.get("webhook-signature")}` } });
    assert.equal((await verifyJobRequest(both, secret)).id, 123);
  });

  it("refuses missing headers, a malformed timestamp and a body that is no envelope", async () => {
    const request = signedRequest();
    const without = new Request(request, { headers: { "webhook-id": "job_123_1", "webhook-timestamp": "1" } });
    assert.equal(await refusal(verifyJobRequest(without, secret)), "missing_headers");
    assert.equal(await refusal(verifyJobRequest(signedRequest({ headers: { "webhook-timestamp": "12.5" } }), secret)),
      "invalid_timestamp");
    assert.equal(await refusal(verifyJobRequest(signedRequest({ body: "[1,2]" }), secret)), "invalid_body");
    assert.equal(await refusal(verifyJobRequest(signedRequest({ body: "not json" }), secret)), "invalid_body");
  });

  it("throws a TypeError for a malformed secret", async () => {
    await assert.rejects(verifyJobRequest(signedRequest(), "whsec_%%%"), TypeError);
    await assert.rejects(verifyJobRequest(signedRequest(), ""), TypeError);
  });
});

describe("verifyJobRequest with several secrets (rotation)", () => {
  it("accepts a request signed with any of them and refuses one signed with neither", async () => {
    const third = "whsec_" + Buffer.from("a-third-secret-for-the-rotation-test").toString("base64");
    assert.equal((await verifyJobRequest(signedRequest({ signWith: otherSecret }), [secret, otherSecret])).id, 123);
    assert.equal((await verifyJobRequest(signedRequest(), [otherSecret, secret])).id, 123);
    assert.equal(await refusal(verifyJobRequest(signedRequest({ signWith: third }), [secret, otherSecret])), "bad_signature");
    await assert.rejects(verifyJobRequest(signedRequest(), []), TypeError);
  });
});
