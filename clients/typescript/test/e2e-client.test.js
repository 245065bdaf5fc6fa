// The typed client against the real service: leora-jobs serve on SQLite in a temp dir, jobs run by process().
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createJobsClient, JobsApiError } from "../dist/index.js";
import { serveFetch } from "./support/http.js";
import { startService } from "./support/service.js";

describe("the client against the service", { timeout: 180_000 }, () => {
  let service;
  let receiver;
  let client;
  const received = [];

  before(async () => {
    receiver = await serveFetch(async (request) => {
      received.push({ path: new URL(request.url).pathname, body: await request.text() });
      return new Response("ok");
    });
    service = await startService({ worker: false });
    client = createJobsClient({ baseUrl: service.url, apiKey: service.apiKey });
  });
  after(async () => {
    await service?.stop();
    await receiver?.close();
  });

  it("enqueues a job, runs it with process, and reads it completed with its result", async () => {
    const job = await client.enqueue({ type: "webhook", payload: { url: `${receiver.url}/hook/1`, method: "POST", body: { orderId: 1 } },
      priority: 5, idempotencyKey: "order-1" });
    assert.equal(job.status, "pending");
    assert.equal(job.type, "webhook");
    assert.equal(job.priority, 5);

    const again = await client.enqueue({ type: "webhook", payload: { url: `${receiver.url}/hook/1` }, idempotencyKey: "order-1" });
    assert.equal(again.id, job.id, "the same idempotency key answers the existing job");

    const batch = await client.process({ maxJobs: 10 });
    assert.equal(batch.processed, 1);
    assert.deepEqual(batch.jobs.map((j) => [j.id, j.outcome]), [[job.id, "completed"]]);

    const done = await client.get(job.id);
    assert.equal(done.status, "completed");
    assert.equal(done.result.statusCode, 200);
    assert.deepEqual(received.map((r) => [r.path, JSON.parse(r.body)]), [["/hook/1", { orderId: 1 }]]);
  });

  it("enqueues many jobs in one request, each idempotency key once", async () => {
    const jobs = [1, 2, 3].map((n) => ({ type: "webhook", payload: { url: `${receiver.url}/bulk/${n}` }, delaySeconds: 3600,
      idempotencyKey: `bulk-${n}` }));
    const first = await client.enqueueMany(jobs);
    assert.equal(first.created, 3);
    assert.equal(first.jobs.length, 3);
    assert.ok(first.jobs.every((j) => j.existing === false));
    const second = await client.enqueueMany([...jobs.slice(0, 2), { type: "webhook", payload: { url: `${receiver.url}/bulk/4` }, delaySeconds: 3600 }]);
    assert.deepEqual(second.jobs.slice(0, 2), first.jobs.slice(0, 2).map((j) => ({ ...j, existing: true })));
    assert.equal(second.created, 1);
    assert.equal(second.existing, 2);

    const page = await client.list({ status: "pending", type: "webhook", limit: 100 });
    const listed = page.items.map((j) => j.id);
    for (const { id } of [...first.jobs, ...second.jobs]) assert.ok(listed.includes(id), `job ${id} is listed`);
  });

  it("refuses a bulk enqueue with an invalid job whole, naming it by position", async () => {
    const error = await client.enqueueMany([
      { type: "webhook", payload: { url: `${receiver.url}/ok` } },
      { type: "webhook", payload: { url: "not a url" } },
    ]).then(() => null, (e) => e);
    assert.ok(error instanceof JobsApiError);
    assert.equal(error.status, 400);
    assert.ok(Object.keys(error.problem.errors).some((k) => k.startsWith("jobs[1]")), JSON.stringify(error.problem));
  });

  it("cancels a waiting job and retries it", async () => {
    const job = await client.enqueue({ type: "webhook", payload: { url: `${receiver.url}/later` }, delaySeconds: 3600 });
    const cancelled = await client.cancel(job.id);
    assert.equal(cancelled.status, "cancelled");
    const retried = await client.retry(job.id);
    assert.equal(retried.status, "pending");
    const conflict = await client.retry(job.id).then(() => null, (e) => e);
    assert.ok(conflict instanceof JobsApiError);
    assert.equal(conflict.status, 409);
  });

  it("throws JobsApiError with the problem for an unknown id, a bad payload, an unknown type and a wrong key", async () => {
    const missing = await client.get(987654).then(() => null, (e) => e);
    assert.ok(missing instanceof JobsApiError);
    assert.equal(missing.status, 404);

    const bad = await client.enqueue({ type: "webhook", payload: { method: "POST" } }).then(() => null, (e) => e);
    assert.equal(bad.status, 400);
    assert.ok(Object.keys(bad.problem.errors).some((k) => k.startsWith("payload")), JSON.stringify(bad.problem));

    const unknown = await client.enqueue({ type: "send_sms", payload: {} }).then(() => null, (e) => e);
    assert.equal(unknown.status, 400);
    assert.ok(unknown.problem.knownTypes.includes("webhook"));
    assert.match(unknown.message, /send_sms/);

    const stranger = createJobsClient({ baseUrl: service.url, apiKey: "wrong-key" });
    const refused = await stranger.list().then(() => null, (e) => e);
    assert.equal(refused.status, 401);
  });
});
