// HTTP job types end to end: the real service's worker POSTs signed envelopes to a node:http server whose routes are
// jobHandler, and the outcome lands in the job. Written against the HTTP job type contract (issue 15, part 4);
// `npm test` runs this file only with LEORA_HTTP_JOB_TYPES=1.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Webhook } from "standardwebhooks";
import {
  createJobsClient, JobCallbackError, jobHandler, jobReporter, PermanentJobError, RetryJobError,
} from "../dist/index.js";
import { eventually, serveFetch } from "./support/http.js";
import { startService } from "./support/service.js";

const secret = "whsec_" + Buffer.from("leora-http-job-types-e2e-secret!").toString("base64");

/** A promise with its resolve, for a handler to hand its context to the test. */
function signal() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

describe("HTTP job types handled by jobHandler", { timeout: 300_000 }, () => {
  let service;
  let endpoint;
  let client;
  const seen = [];
  const deferred = signal();
  const deferredToFail = signal();
  const signatures = [];

  before(async () => {
    const handle = jobHandler({
      secret,
      onError: () => {},
      handlers: {
        ts_echo: async (payload, ctx) => {
          seen.push({ payload, id: ctx.id, attempt: ctx.attempt, maxAttempts: ctx.maxAttempts });
          return { echoed: payload, attempt: ctx.attempt };
        },
        ts_long: async (payload, ctx) => {
          deferred.resolve({ reporter: ctx.defer(), ctx, payload });
        },
        ts_gone: async (payload, ctx) => {
          deferredToFail.resolve({ reporter: ctx.defer(), ctx });
        },
        ts_broken: async (payload) => { throw new PermanentJobError(`Order ${payload.orderId} does not exist.`); },
        ts_busy: async (payload, ctx) => {
          if (ctx.attempt === 1) throw new RetryJobError("Busy, come back in a second.", { after: 1 });
          return { attempt: ctx.attempt, previousResult: ctx.previousResult };
        },
      },
    });
    endpoint = await serveFetch(async (request) => {
      signatures.push({ id: request.headers.get("webhook-id"), signature: request.headers.get("webhook-signature") });
      return handle(request);
    });
    const env = {};
    for (const type of ["ts_echo", "ts_long", "ts_gone", "ts_broken", "ts_busy"]) {
      env[`Jobs__HttpJobTypes__${type}__Url`] = `${endpoint.url}/api/jobs`;
      env[`Jobs__HttpJobTypes__${type}__Secret`] = secret;
      env[`Jobs__HttpJobTypes__${type}__MaxAttempts`] = "3";
    }
    service = await startService({ env });
    client = createJobsClient({ baseUrl: service.url, apiKey: service.apiKey });
  });
  after(async () => {
    await service?.stop();
    await endpoint?.close();
  });

  const finished = (id) => eventually(async () => {
    const job = await client.get(id);
    return ["completed", "failed", "cancelled"].includes(job.status) ? job : null;
  }, `job ${id} to finish`);

  it("enqueued from TypeScript, runs in the TypeScript handler and completes with its result", async () => {
    const job = await client.enqueue({ type: "ts_echo", payload: { orderId: 42, note: "grüße" } });
    const done = await finished(job.id);
    assert.equal(done.status, "completed", JSON.stringify(done));
    assert.deepEqual(done.result, { echoed: { orderId: 42, note: "grüße" }, attempt: 1 });
    assert.deepEqual(seen.find((s) => s.id === job.id), { payload: { orderId: 42, note: "grüße" }, id: job.id, attempt: 1, maxAttempts: 3 });
    const signed = signatures.find((s) => s.id === `job_${job.id}_1`);
    assert.ok(signed, "the request's webhook-id is job_<id>_<attempt>");
    assert.match(signed.signature, /^v1,/);
  });

  it("enqueued in bulk, every job completes", async () => {
    const bulk = await client.enqueueMany([1, 2, 3, 4, 5].map((n) => ({ type: "ts_echo", payload: { n } })));
    assert.equal(bulk.created, 5);
    for (const [i, { id }] of bulk.jobs.entries()) {
      const done = await finished(id);
      assert.equal(done.status, "completed");
      assert.deepEqual(done.result.echoed, { n: i + 1 });
    }
  });

  it("deferred with 202: progress, then complete through the callback; a late report is refused with 409", async () => {
    const job = await client.enqueue({ type: "ts_long", payload: { pages: 12 } });
    const { reporter, ctx, payload } = await deferred.promise;
    assert.equal(ctx.id, job.id);
    assert.deepEqual(payload, { pages: 12 });
    assert.equal((await client.get(job.id)).status, "processing");

    await reporter.progress(40, "page 5 of 12");
    const progressed = await eventually(async () => {
      const j = await client.get(job.id);
      return j.progress === 40 ? j : null;
    }, "progress 40");
    assert.equal(progressed.progressMessage, "page 5 of 12");
    assert.equal(progressed.status, "processing");

    // A reporter with a wrong token is refused (the callback's token, not an API key, authorises it): a token of the
    // right shape with its end changed, and one of no known shape at all.
    const altered = ctx.callback.token.slice(0, -2) + (ctx.callback.token.endsWith("AA") ? "BA" : "AA");
    for (const token of [altered, "not-the-token", service.apiKey]) {
      const forged = await jobReporter({ url: ctx.callback.url, token }).progress(90).then(() => null, (e) => e);
      assert.ok(forged instanceof JobCallbackError, `the token '${token}' was accepted`);
      assert.equal(forged.status, 401, `the token '${token}': ${forged.message}`);
    }

    await reporter.complete({ pages: 12, url: "/reports/1.pdf" });
    const done = await client.get(job.id);
    assert.equal(done.status, "completed");
    assert.deepEqual(done.result, { pages: 12, url: "/reports/1.pdf" });

    const late = await reporter.fail("too late", { retry: false }).then(() => null, (e) => e);
    assert.ok(late instanceof JobCallbackError);
    assert.equal(late.status, 409);
    assert.equal(late.attemptSuperseded, true);
    assert.equal((await client.get(job.id)).status, "completed");
  });

  it("deferred with 202, then failed for good through the callback", async () => {
    const job = await client.enqueue({ type: "ts_gone", payload: {} });
    const { reporter, ctx } = await deferredToFail.promise;
    assert.equal(ctx.id, job.id);
    await reporter.fail(new Error("The report's source vanished."), { retry: false });
    const done = await client.get(job.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempts, 1);
    assert.match(done.errors.at(-1).message, /The report's source vanished\./);
  });

  it("a PermanentJobError fails the job for good with the handler's message", async () => {
    const job = await client.enqueue({ type: "ts_broken", payload: { orderId: 7 } });
    const done = await finished(job.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempts, 1);
    assert.match(done.errors.at(-1).message, /Order 7 does not exist\./);
  });

  it("a RetryJobError with Retry-After runs the job again, which then completes", async () => {
    const job = await client.enqueue({ type: "ts_busy", payload: {} });
    const done = await finished(job.id);
    assert.equal(done.status, "completed", JSON.stringify(done));
    assert.equal(done.attempts, 2);
    assert.equal(done.result.attempt, 2);
    assert.equal(done.errors.length, 1, "the first attempt's 503 is kept as its error");
  });

  it("a request signed with another secret or replayed is refused by the handler and runs nothing", async () => {
    const before = seen.length;
    const body = JSON.stringify({ id: 1, type: "ts_echo", attempt: 1, maxAttempts: 3, payload: {}, previousResult: null,
      deadline: null, callback: { url: `${service.url}/api/jobs/1/attempts/1`, token: "x" } });
    const other = "whsec_" + Buffer.from("an-attacker-secret-0123456789").toString("base64");
    for (const [signWith, at] of [[other, new Date()], [secret, new Date(Date.now() - 3600_000)]]) {
      const response = await fetch(`${endpoint.url}/api/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": "job_1_1",
          "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
          "webhook-signature": new Webhook(signWith).sign("job_1_1", at, body) },
        body,
      });
      assert.equal(response.status, 401);
    }
    assert.equal(seen.length, before);
  });
});
