// The TypeScript in docs/nextjs.md compiles against the built package, so the page cannot drift from the API: each
// ```ts block starts with a `// path` comment and becomes that file of a small Next.js-shaped project, with stubs for
// next/server and the app's own modules, type-checked by tsc.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const page = join(packageDir, "..", "..", "docs", "nextjs.md");

const stubs = `
declare const process: { env: Record<string, string | undefined> };
declare module "next/server" { export function after(task: () => unknown): void; }
declare module "@/lib/work" {
  export interface User { email: string }
  export function findUser(id: string): Promise<User | null>;
  export function sendWelcomeMail(user: User, options: { signal: AbortSignal }): Promise<void>;
  export class SmtpBusy extends Error {}
  export class ReportNotFound extends Error {}
  export function buildReport(id: number, format: "pdf" | "csv", onPage: (page: number, pages: number) => Promise<void>): Promise<string>;
}
`;

it("the TypeScript of docs/nextjs.md compiles against the package", { timeout: 120_000 }, () => {
  const blocks = [...readFileSync(page, "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 6, `docs/nextjs.md has ${blocks.length} TypeScript blocks`);
  const project = join(packageDir, ".docs-check");
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  for (const block of blocks) {
    const path = /^\/\/ ([\w./[\]-]+\.ts)\n/.exec(block)?.[1];
    assert.ok(path, `a TypeScript block of docs/nextjs.md does not start with its file's path:\n${block}`);
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), block);
  }
  writeFileSync(join(project, "stubs.d.ts"), stubs);
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], types: [],
      strict: true, noEmit: true, skipLibCheck: true,
      paths: { "@/*": ["./*"], "@leora/jobs": [join(packageDir, "dist", "index.d.ts")] },
    },
    include: ["**/*.ts"],
  }));
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", join(project, "tsconfig.json")], { encoding: "utf8" });
  assert.equal(run.status, 0, `tsc found errors in docs/nextjs.md's code:\n${run.stdout}${run.stderr}`);
  rmSync(project, { recursive: true, force: true });
});
