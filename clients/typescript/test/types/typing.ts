import { createJobsClient, jobHandler, type Job } from "../../dist/index.js";

// Your HTTP job types (not in the document) are typed by the map given to the client.
const client = createJobsClient<{ "report.build": { reportId: number } }>({ baseUrl: "http://127.0.0.1:5080", apiKey: "k" });
export async function enqueueTyped(): Promise<number> {
  const job: Job = await client.enqueue({ type: "report.build", payload: { reportId: 7 }, idempotencyKey: "r-7" });
  // @ts-expect-error the payload of a mapped type is checked
  await client.enqueue({ type: "report.build", payload: { reportId: "7" } });
  // @ts-expect-error a payload is required
  await client.enqueue({ type: "report.build" });
  await client.enqueueMany([{ type: "report.build", payload: { reportId: 1 } }, { type: "report.build", payload: { reportId: 2 } }]);
  // @ts-expect-error each job of a bulk enqueue is checked too
  await client.enqueueMany([{ type: "report.build", payload: { reportId: 1 } }, { type: "report.build", payload: {} }]);
  // @ts-expect-error ids are numbers
  await client.get("7");
  return job.attempts as number;
}

// A handler's payload is typed by job type; every declared type needs its handler.
export const POST = jobHandler<{ "report.build": { reportId: number }; "mail.send": { to: string } }>({
  secret: "whsec_c2VjcmV0",
  handlers: {
    "report.build": async ({ reportId }, ctx) => ({ reportId: reportId.toFixed(), attempt: ctx.attempt }),
    "mail.send": async (payload) => payload.to.toUpperCase(),
  },
});

jobHandler<{ "report.build": { reportId: number } }>({
  secret: "whsec_c2VjcmV0",
  // @ts-expect-error a handler for each declared type
  handlers: {},
});

jobHandler<{ "report.build": { reportId: number } }>({
  secret: "whsec_c2VjcmV0",
  // @ts-expect-error reportId is a number
  handlers: { "report.build": async ({ reportId }) => reportId.toUpperCase() },
});

// Without a map, annotated payloads are inferred.
export const inferred = jobHandler({
  secret: "whsec_c2VjcmV0",
  handlers: { echo: async (payload: { text: string }, ctx) => { ctx.defer(); return payload.text; } },
});

// The maps may be interfaces as well as type aliases.
interface MailJobs { "mail.send": { to: string } }
export const withInterface = jobHandler<MailJobs>({ secret: "whsec_c2VjcmV0", handlers: { "mail.send": async ({ to }) => to } });
export const mailClient = createJobsClient<MailJobs>({ baseUrl: "http://127.0.0.1:5080", apiKey: "k" });
// @ts-expect-error the interface's payload is checked
void mailClient.enqueue({ type: "mail.send", payload: { to: 1 } });

// The service's own job types are typed by the committed document (docs/openapi/v1.json): the enqueue body is a union
// discriminated by type, so a webhook without its url does not compile.
const plain = createJobsClient({ baseUrl: "http://127.0.0.1:5080", apiKey: "k" });
export async function enqueueDocumentTypes(): Promise<void> {
  await plain.enqueue({ type: "webhook", payload: { url: "https://hooks.example.com/orders", method: "POST" } });
  // @ts-expect-error a webhook needs its url
  await plain.enqueue({ type: "webhook", payload: { method: "POST" } });
  // @ts-expect-error a customer_enrichment payload's customerId is a number
  await plain.enqueue({ type: "customer_enrichment", payload: { customerId: "7" } });
}
