// Runs the package's tests with Node's test runner on the compiled output (run `npm run build` first).
// The HTTP-job-type end-to-end tests need the service's HTTP job types; they run only with LEORA_HTTP_JOB_TYPES=1.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const testDir = join(dirname(fileURLToPath(import.meta.url)), "..", "test");
const withHttpJobTypes = process.env.LEORA_HTTP_JOB_TYPES === "1";
const files = readdirSync(testDir)
  .filter((f) => f.endsWith(".test.js"))
  .filter((f) => withHttpJobTypes || f !== "e2e-httpjobs.test.js")
  .sort()
  .map((f) => join(testDir, f));
if (!withHttpJobTypes) console.log("# e2e-httpjobs.test.js skipped: set LEORA_HTTP_JOB_TYPES=1 to run it");
const run = spawnSync(process.execPath, ["--test", ...files], { stdio: "inherit" });
process.exit(run.status ?? 1);
