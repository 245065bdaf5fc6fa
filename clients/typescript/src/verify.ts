import type { JobEnvelope } from "./envelope.js";
import { JobRequestVerificationError } from "./errors.js";

/** Options of {@link verifyJobRequest}. */
export interface VerifyOptions {
  /**
   * How far the request's `webhook-timestamp` may be from now, either way, in seconds. Defaults to 300 (Standard
   * Webhooks' recommendation): an older request is refused as a replay, a newer one as forged or from a wrong clock.
   */
  toleranceSeconds?: number;
  /** The time to check the timestamp against; defaults to the clock. For tests. */
  now?: Date;
}

const encoder = new TextEncoder();

/**
 * Reads a Standard Webhooks secret (`whsec_` then base64, as in `Jobs:HttpJobTypes:<type>:Secret`) into an HMAC key.
 * Throws a TypeError for a malformed secret: a configuration mistake, not a bad request.
 */
export async function importSigningKey(secret: string): Promise<CryptoKey> {
  if (typeof secret !== "string" || secret.length === 0) throw new TypeError("The signing secret is empty.");
  const encoded = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  } catch {
    throw new TypeError("The signing secret is not 'whsec_' followed by base64.");
  }
  if (bytes.length === 0) throw new TypeError("The signing secret is empty.");
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/**
 * Checks that a request is a genuine job request from Leora Jobs — signed per Standard Webhooks with the job type's
 * secret (or one of several, while rotating it), within the timestamp tolerance — and returns its parsed envelope.
 * Reads the request's body.
 * @throws JobRequestVerificationError when it is not (answer 401); TypeError for a malformed secret.
 */
export async function verifyJobRequest<TPayload = unknown>(
  request: Request,
  secret: string | CryptoKey | ReadonlyArray<string | CryptoKey>,
  options: VerifyOptions = {},
): Promise<JobEnvelope<TPayload>> {
  // Several secrets while one is being rotated: the service's old one and its new one, each accepted.
  const secrets = Array.isArray(secret) ? secret as ReadonlyArray<string | CryptoKey> : [secret as string | CryptoKey];
  if (secrets.length === 0) throw new TypeError("No signing secret was given.");
  const keys = await Promise.all(secrets.map((s) => (typeof s === "string" ? importSigningKey(s) : s)));
  const id = request.headers.get("webhook-id");
  const timestamp = request.headers.get("webhook-timestamp");
  const signatures = request.headers.get("webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new JobRequestVerificationError("missing_headers",
      "The request lacks the webhook-id, webhook-timestamp or webhook-signature header.");
  }
  if (!/^\d{1,15}$/.test(timestamp)) {
    throw new JobRequestVerificationError("invalid_timestamp", "webhook-timestamp is not a number of seconds.");
  }
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const sent = Number(timestamp);
  if (sent < now - tolerance) {
    throw new JobRequestVerificationError("timestamp_too_old",
      `The request was signed ${now - sent} s ago, more than the ${tolerance} s allowed: refused as a replay.`);
  }
  if (sent > now + tolerance) {
    throw new JobRequestVerificationError("timestamp_too_new",
      `The request is signed ${sent - now} s in the future, more than the ${tolerance} s allowed.`);
  }

  const body = await request.text();
  const signed = encoder.encode(`${id}.${timestamp}.${body}`);
  const expected = await Promise.all(keys.map(async (key) => new Uint8Array(await crypto.subtle.sign("HMAC", key, signed))));
  // The header may carry several space-separated signatures (Standard Webhooks); one valid v1 is enough.
  const given = signatures.split(" ").flatMap((entry) => {
    const [version, value] = entry.split(",", 2);
    return version === "v1" && value !== undefined ? [decodeBase64(value)] : [];
  });
  const valid = expected.some((e) => given.some((g) => equalBytes(g, e)));
  if (!valid) throw new JobRequestVerificationError("bad_signature", "The webhook-signature does not match the request.");

  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    throw new JobRequestVerificationError("invalid_body", "The body is not JSON.");
  }
  if (!isEnvelope(envelope)) {
    throw new JobRequestVerificationError("invalid_body",
      "The body is not a job envelope (id, type, attempt, maxAttempts, payload, callback).");
  }
  return envelope as JobEnvelope<TPayload>;
}

function decodeBase64(value: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

// Constant time over the signature's length, so a forger learns nothing from how long a refusal took.
function equalBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  if (a === null || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function isEnvelope(value: unknown): value is JobEnvelope {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const callback = v["callback"] as Record<string, unknown> | null | undefined;
  return Number.isInteger(v["id"]) && typeof v["type"] === "string" && Number.isInteger(v["attempt"])
    && Number.isInteger(v["maxAttempts"]) && "payload" in v
    && typeof callback === "object" && callback !== null
    && typeof callback["url"] === "string" && typeof callback["token"] === "string";
}
