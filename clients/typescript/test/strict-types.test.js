// The client's types are as strict as the document: compiled against a small strict document (test/fixtures: integer
// ids, an enum status, an enqueue body discriminated by type, as issue 15 asks of docs/openapi/v1.json), the misuses in
// test/fixtures/strict-usage.ts (each marked @ts-expect-error) must fail to compile — a number sent as a string, a
// webhook without its url, an unknown type, a status outside the enum — and the right uses must compile.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

function run(script, args) {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: "utf8", cwd: packageDir });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

it("the client's types follow a strict document: enums, numbers and payloads by type", { timeout: 120_000 }, () => {
  const project = join(packageDir, ".strict-check");
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, "src"), { recursive: true });
  for (const file of readdirSync(join(packageDir, "src"))) {
    if (file.endsWith(".ts") && file !== "schema.ts") copyFileSync(join(packageDir, "src", file), join(project, "src", file));
  }
  copyFileSync(join(packageDir, "test", "fixtures", "strict-usage.ts"), join(project, "usage.ts"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
  const generate = run(join(packageDir, "node_modules", "openapi-typescript", "bin", "cli.js"),
    [join("test", "fixtures", "strict-openapi.json"), "--output", join(project, "src", "schema.ts")]);
  assert.ok(generate.ok, generate.output);
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
    extends: join(packageDir, "tsconfig.json"),
    compilerOptions: { noEmit: true, rootDir: ".", declaration: false, sourceMap: false },
    include: ["src/*.ts", "usage.ts"],
  }));
  const tsc = run(require.resolve("typescript/bin/tsc"), ["-p", join(project, "tsconfig.json")]);
  assert.ok(tsc.ok, `the strict usage does not type-check as expected:\n${tsc.output}`);
  rmSync(project, { recursive: true, force: true });
});
