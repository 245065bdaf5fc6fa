// Starts the real Leora Jobs service (the built leora-jobs, as tests/Leora.Jobs.Server.Tests starts it) on SQLite in a
// temporary directory, on a free port of 127.0.0.1, and stops it with SIGTERM.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

/** The built service: LEORA_JOBS_DLL, else the Release build (LEORA_JOBS_CONFIGURATION to pick another). */
export function serviceDll() {
  const dll = process.env.LEORA_JOBS_DLL
    ?? join(repoRoot, "src", "Leora.Jobs.Server", "bin", process.env.LEORA_JOBS_CONFIGURATION ?? "Release", "net10.0", "leora-jobs.dll");
  if (!existsSync(dll)) {
    throw new Error(`The service is not built: ${dll} is missing. Build it first (dotnet build src/Leora.Jobs.Server -c Release).`);
  }
  return dll;
}

// Settings of the developer's shell that must not leak into the service under test.
const inherited = ["JOB_PROCESSOR_API_KEY", "ConnectionStrings__Jobs", "Jobs__Provider", "ASPNETCORE_URLS",
  "ASPNETCORE_ENVIRONMENT", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath"];

/**
 * Starts `leora-jobs serve`; resolves once it prints that it is ready, with its URL, its API key and stop().
 * `worker: false` serves the API only (jobs run when a test calls process).
 */
export async function startService({ env = {}, worker = true, apiKey = "ts-client-test-key-" + Math.random().toString(36).slice(2) } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "leora-ts-"));
  const childEnv = { ...process.env };
  for (const name of inherited) delete childEnv[name];
  Object.assign(childEnv, {
    ConnectionStrings__Jobs: `Data Source=${join(dir, "jobs.db")}`,
    JOB_PROCESSOR_API_KEY: apiKey,
    // The test's own HTTP servers are on 127.0.0.1, which the SSRF guard refuses unless allowed.
    Jobs__Webhook__AllowedHosts__0: "127.0.0.1",
    DOTNET_NOLOGO: "1",
    ...env,
  });
  const args = [serviceDll(), "serve", "--urls", "http://127.0.0.1:0"];
  if (!worker) args.push("--no-worker");
  const child = spawn("dotnet", args, { cwd: dir, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  const output = [];
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  let url;
  const ready = new Promise((resolve, reject) => {
    let pending = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline).trimEnd();
        pending = pending.slice(newline + 1);
        output.push(line);
        const m = /listening on (http:\/\/[^\s,]+)/.exec(line);
        if (m) url = m[1];
        if (line.endsWith("Press Ctrl+C to stop.")) resolve();
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => output.push(chunk.trimEnd()));
    exited.then(({ code, signal }) => reject(new Error(`leora-jobs serve exited (${code ?? signal}) before it was ready:\n${output.join("\n")}`)));
  });
  const timeout = setTimeout(() => child.kill("SIGKILL"), 120_000);
  try {
    await ready;
  } finally {
    clearTimeout(timeout);
  }
  if (!url) throw new Error(`leora-jobs serve did not say where it listens:\n${output.join("\n")}`);

  return {
    url,
    apiKey,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
