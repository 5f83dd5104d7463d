// The README's examples are tests: each ```js block naming its file is written into the
// package (so that `testcontainers-ossemu` resolves to it) and run with `node --test`.
// Needs Docker and the image in OSSEMU_IMAGE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

test("the README's examples pass", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const dir = join(root, ".readme-tests");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const files = [];
  let tests = 0;
  for (const [, block] of readme.matchAll(/```js\n([\s\S]*?)```/g)) {
    const name = block.match(/^\/\/ (\S+\.test\.mjs)\n/)?.[1];
    assert.ok(name, `a js block in the README does not name its file:\n${block}`);
    writeFileSync(join(dir, name), block);
    files.push(join(dir, name));
    tests += [...block.matchAll(/^test\(/gm)].length;
  }
  assert.ok(tests >= 3);
  // Without NODE_TEST_CONTEXT, which would make the inner runner report to this one.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync(process.execPath, ["--test", ...files], { encoding: "utf8", env });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, new RegExp(`^# pass ${tests}$`, "m"), run.stdout);
  rmSync(dir, { recursive: true, force: true });
});
