import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JobCallbackError, jobHandler, PermanentJobError, RetryJobError } from "../dist/index.js";
import { serveFetch } from "./support/http.js";
import { envelope, otherSecret, secret, signedRequest } from "./support/signing.js";

const quiet = { onError: () => {} };

async function json(response) {
  return JSON.parse(await response.text());
}

describe("jobHandler", () => {
  it("runs the type's handler with the payload and the context, and answers 200 with its result", async () => {
    let seen;
    const handle = jobHandler({
      secret,
      handlers: {
        "report.build": async (payload, ctx) => {
          seen = { payload, id: ctx.id, type: ctx.type, attempt: ctx.attempt, maxAttempts: ctx.maxAttempts,
            previousResult: ctx.previousResult, deadline: ctx.deadline, aborted: ctx.signal.aborted };
          return { url: `/reports/${payload.reportId}.pdf` };
        },
      },
    });
    const deadline = "2099-01-01T00:00:00.000Z";
    const response = await handle(signedRequest({ body: envelope({ attempt: 2, previousResult: { part: 1 }, deadline }) }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.deepEqual(await json(response), { url: "/reports/7.pdf" });
    assert.deepEqual(seen, { payload: { reportId: 7 }, id: 123, type: "report.build", attempt: 2, maxAttempts: 5,
      previousResult: { part: 1 }, deadline: new Date(deadline), aborted: false });
  });

  it("answers null for a handler that returns nothing", async () => {
    const handle = jobHandler({ secret, handlers: { "report.build": async () => {} } });
    const response = await handle(signedRequest());
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "null");
  });

  it("refuses a forged, tampered or replayed request with 401 and runs nothing", async () => {
    let runs = 0;
    const handle = jobHandler({ secret, handlers: { "report.build": async () => { runs++; } } });
    const body = JSON.stringify(envelope());
    for (const request of [
      signedRequest({ signWith: otherSecret }),
      signedRequest({ body, sendBody: body.replace("report.build", "report.drop") }),
      signedRequest({ at: new Date(Date.now() - 10 * 60_000) }),
    ]) {
      const response = await handle(request);
      assert.equal(response.status, 401);
      assert.equal(response.headers.get("content-type"), "application/problem+json");
      const problem = await json(response);
      assert.equal(problem.status, 401);
      assert.ok(["bad_signature", "timestamp_too_old"].includes(problem.code), problem.code);
    }
    assert.equal(runs, 0);
  });

  it("accepts either secret while one is rotated", async () => {
    const handle = jobHandler({ secret: [otherSecret, secret], handlers: { "report.build": async () => "ok" } });
    assert.equal((await handle(signedRequest())).status, 200);
    assert.equal((await handle(signedRequest({ signWith: otherSecret }))).status, 200);
  });

  it("answers 404 for a type it has no handler for, and 405 for a GET", async () => {
    const handle = jobHandler({ secret, handlers: { "mail.send": async () => "sent" } });
    const response = await handle(signedRequest());
    assert.equal(response.status, 404);
    assert.match((await json(response)).detail, /no handler for the job type 'report.build'.*mail\.send/);
    const get = await handle(new Request("http://127.0.0.1/api/jobs"));
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
  });

  it("answers a 4xx problem with the message for a PermanentJobError", async () => {
    const handle = jobHandler({ secret, handlers: {
      "report.build": async () => { throw new PermanentJobError("Report 7 no longer exists."); },
      "report.gone": async () => { throw new PermanentJobError("Gone for good.", { status: 410 }); },
    } });
    const response = await handle(signedRequest());
    assert.equal(response.status, 422);
    assert.equal(response.headers.get("content-type"), "application/problem+json");
    assert.equal((await json(response)).detail, "Report 7 no longer exists.");
    const gone = await handle(signedRequest({ body: envelope({ type: "report.gone" }) }));
    assert.equal(gone.status, 410);
    assert.throws(() => new PermanentJobError("x", { status: 429 }), RangeError);
  });

  it("answers 503 with Retry-After for a RetryJobError, in seconds or as an HTTP date, and without one for backoff", async () => {
    const at = new Date("2030-01-01T10:00:00Z");
    const handle = jobHandler({ secret, handlers: {
      "retry.seconds": async () => { throw new RetryJobError("Rate limited.", { after: 29.2 }); },
      "retry.date": async () => { throw new RetryJobError("Closed until ten.", { after: at }); },
      "retry.backoff": async () => { throw new RetryJobError("Try again."); },
    } });
    const seconds = await handle(signedRequest({ body: envelope({ type: "retry.seconds" }) }));
    assert.equal(seconds.status, 503);
    assert.equal(seconds.headers.get("retry-after"), "30");
    assert.equal((await json(seconds)).detail, "Rate limited.");
    const date = await handle(signedRequest({ body: envelope({ type: "retry.date" }) }));
    assert.equal(date.headers.get("retry-after"), "Tue, 01 Jan 2030 10:00:00 GMT");
    const backoff = await handle(signedRequest({ body: envelope({ type: "retry.backoff" }) }));
    assert.equal(backoff.status, 503);
    assert.equal(backoff.headers.get("retry-after"), null);
  });

  it("answers 500 with the message for any other error, and tells onError", async () => {
    const errors = [];
    const handle = jobHandler({ secret, onError: (e, env) => errors.push([e.message, env.id]),
      handlers: { "report.build": async () => { throw new Error("disk full"); } } });
    const response = await handle(signedRequest());
    assert.equal(response.status, 500);
    assert.equal((await json(response)).detail, "disk full");
    assert.deepEqual(errors, [["disk full", 123]]);
  });

  it("aborts the context's signal when the deadline has passed", async () => {
    let aborted;
    const handle = jobHandler({ secret, handlers: { "report.build": async (_, ctx) => { aborted = ctx.signal.aborted; } } });
    await handle(signedRequest({ body: envelope({ deadline: new Date(Date.now() - 1000).toISOString() }) }));
    assert.equal(aborted, true);
  });

  describe("defer", () => {
    const calls = [];
    let callbacks;
    let answer = 204;
    before(async () => {
      callbacks = await serveFetch(async (request) => {
        calls.push({ path: new URL(request.url).pathname, auth: request.headers.get("authorization"),
          type: request.headers.get("content-type"), body: await request.json() });
        return answer === 204 ? new Response(null, { status: 204 })
          : new Response(JSON.stringify({ title: "Conflict", status: 409, detail: "The attempt is no longer running." }),
            { status: 409, headers: { "content-type": "application/problem+json" } });
      });
    });
    after(() => callbacks.close());

    it("answers 202 and reports progress, completion and failure to the attempt's callback routes", async () => {
      let reporter;
      const handle = jobHandler({ secret, ...quiet, handlers: { "report.build": async (_, ctx) => { reporter = ctx.defer(); } } });
      const callback = { url: `${callbacks.url}/api/jobs/123/attempts/1`, token: "tok-1" };
      const response = await handle(signedRequest({ body: envelope({ callback }) }));
      assert.equal(response.status, 202);
      await reporter.progress(50, "half way");
      await reporter.complete({ rows: 3 });
      await reporter.fail(new Error("bad row"), { retry: false });
      await reporter.fail("flaky");
      assert.deepEqual(calls, [
        { path: "/api/jobs/123/attempts/1/progress", auth: "Bearer tok-1", type: "application/json", body: { progress: 50, message: "half way" } },
        { path: "/api/jobs/123/attempts/1/complete", auth: "Bearer tok-1", type: "application/json", body: { result: { rows: 3 } } },
        { path: "/api/jobs/123/attempts/1/fail", auth: "Bearer tok-1", type: "application/json", body: { error: "bad row", retry: false } },
        { path: "/api/jobs/123/attempts/1/fail", auth: "Bearer tok-1", type: "application/json", body: { error: "flaky", retry: true } },
      ]);
      await assert.rejects(reporter.progress(101), RangeError);
    });

    it("throws a JobCallbackError that says the attempt was superseded on a 409", async () => {
      answer = 409;
      let reporter;
      const handle = jobHandler({ secret, handlers: { "report.build": async (_, ctx) => { reporter = ctx.defer(); } } });
      await handle(signedRequest({ body: envelope({ callback: { url: `${callbacks.url}/api/jobs/123/attempts/1`, token: "t" } }) }));
      const error = await reporter.complete("late").then(() => null, (e) => e);
      assert.ok(error instanceof JobCallbackError);
      assert.equal(error.status, 409);
      assert.equal(error.attemptSuperseded, true);
      assert.match(error.message, /no longer running/);
    });
  });
});
