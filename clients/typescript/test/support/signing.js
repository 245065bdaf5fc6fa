// Signs job requests with the standardwebhooks package: an implementation independent of the one under test.
import { Webhook } from "standardwebhooks";

export const secret = "whsec_" + Buffer.from("leora-jobs-test-secret-0123456789abcdef").toString("base64");
export const otherSecret = "whsec_" + Buffer.from("some-other-secret-fedcba9876543210").toString("base64");

export function envelope(overrides = {}) {
  return {
    id: 123, type: "report.build", attempt: 1, maxAttempts: 5, payload: { reportId: 7 },
    previousResult: null, deadline: new Date(Date.now() + 60_000).toISOString(),
    callback: { url: "http://127.0.0.1:9/api/jobs/123/attempts/1", token: "attempt-token" },
    ...overrides,
  };
}

/** A POST as the worker sends it: the body signed with `signWith` at `at`, then sent as `body` (for tampering). */
export function signedRequest({ body, signWith = secret, at = new Date(), id = "job_123_1", sendBody, headers = {}, url = "http://127.0.0.1/api/jobs" } = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body ?? envelope());
  const signature = new Webhook(signWith).sign(id, at, text);
  return new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signature,
      ...headers,
    },
    body: sendBody ?? text,
  });
}
