import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import OSS from "ali-oss";
import { OssemuContainer } from "testcontainers-ossemu";

test("signatures are checked and a stopped container is gone", async () => {
  const ossemu = await new OssemuContainer().withBucket("checked").start();
  const id = ossemu.getId();
  try {
    const wrong = new OSS({ ...ossemu.getAliOssOptions("checked"), accessKeySecret: "wrong" });
    await assert.rejects(wrong.put("k", Buffer.from("v")), { code: "SignatureDoesNotMatch" });
    const right = new OSS(ossemu.getAliOssOptions("checked"));
    await right.put("k", Buffer.from("v"));
    assert.equal((await right.get("k")).content.toString(), "v");
  } finally {
    await ossemu.stop();
  }
  assert.throws(() => execFileSync("docker", ["inspect", id], { stdio: "pipe" }));
});

test("a bad configuration fails the start", async () => {
  await assert.rejects(new OssemuContainer().withBucket("Bad_Name").start(),
    /ossemu did not start[\s\S]*invalid bucket name "Bad_Name"/);
});
