// Testcontainers module for ossemu, a local S3- and Alibaba-OSS-compatible object store.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { AbstractStartedContainer, GenericContainer, Wait } from "testcontainers";

/** Where the configuration file goes inside the container. */
export const CONFIG_PATH = "/etc/ossemu/ossemu.toml";

/** A free TCP port of 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const tomlString = (s) => JSON.stringify(s);

/**
 * ossemu in a container, in memory, on the host's network: it listens on a free port of
 * 127.0.0.1, so the Docker engine must run on this machine. The image is `OSSEMU_IMAGE`
 * (default `ossemu:latest`).
 */
export class OssemuContainer extends GenericContainer {
  constructor(image = process.env.OSSEMU_IMAGE ?? "ossemu:latest") {
    super(image);
    this.accessKey = "ossemu";
    this.secretKey = "ossemu-secret";
    this.region = "oss-cn-hangzhou";
    this.configText = "";
    this.buckets = [];
    this.withNetworkMode("host");
    this.withWaitStrategy(Wait.forLogMessage(/listening on http:/));
    this.withStartupTimeout(30_000);
  }

  /** A bucket ensured at start-up, owned by the default credential, with a canned ACL. */
  withBucket(name, acl = "private") {
    this.buckets.push({ name, acl });
    return this;
  }

  /**
   * An ossemu configuration file on this machine (settings, credentials, buckets, website
   * rules, CORS), copied into the container. Listening, storage and the default credential
   * stay the container's.
   */
  withConfig(path) {
    this.configText = readFileSync(path, "utf8");
    return this;
  }

  /** The default credential. */
  withCredentials(accessKey, secretKey) {
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    return this;
  }

  /** The configuration file the container gets: `withConfig`'s, then the buckets. */
  renderConfig() {
    let text = this.configText;
    if (text && !text.endsWith("\n")) text += "\n";
    for (const { name, acl } of this.buckets) {
      text += `\n[[buckets]]\nname = ${tomlString(name)}\nacl = ${tomlString(acl)}\n`;
    }
    return text;
  }

  /** Starts the container; resolves once `/_ossemu/health` answers 200. */
  async start() {
    const port = await freePort();
    this.withEnvironment({
      OSSEMU_LISTEN: `127.0.0.1:${port}`,
      OSSEMU_MEMORY: "true",
      OSSEMU_ACCESS_KEY: this.accessKey,
      OSSEMU_SECRET_KEY: this.secretKey,
      OSSEMU_REGION: this.region,
    });
    const config = this.renderConfig();
    if (config) {
      this.withEnvironment({ OSSEMU_CONFIG: CONFIG_PATH });
      this.withCopyContentToContainer([{ content: config, target: CONFIG_PATH, mode: 0o644 }]);
    }
    // The server's own lines, for the error when it does not start.
    const log = [];
    this.withLogConsumer((stream) => stream.on("data", (line) => log.push(String(line))));
    let inner;
    try {
      inner = await super.start();
    } catch (e) {
      throw new Error(`ossemu did not start (${e.message}):\n${log.join("")}`, { cause: e });
    }
    const started = new StartedOssemuContainer(inner, port, this);
    await started.waitHealthy(30_000);
    return started;
  }
}

/** A running ossemu container. */
export class StartedOssemuContainer extends AbstractStartedContainer {
  constructor(started, port, from) {
    super(started);
    this.port = port;
    this.accessKey = from.accessKey;
    this.secretKey = from.secretKey;
    this.region = from.region;
  }

  /** `http://127.0.0.1:<port>`; use path-style addressing. */
  getEndpoint() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The default credential's access key. */
  getAccessKey() {
    return this.accessKey;
  }

  /** Its secret. */
  getSecretKey() {
    return this.secretKey;
  }

  /** The OSS region reported (`oss-cn-hangzhou`). */
  getRegion() {
    return this.region;
  }

  /** Options for `new OSS(...)` of ali-oss, for `bucket`. */
  getAliOssOptions(bucket) {
    return {
      endpoint: this.getEndpoint(),
      region: this.region,
      accessKeyId: this.accessKey,
      accessKeySecret: this.secretKey,
      bucket,
    };
  }

  /** Configuration for `new S3Client(...)` of @aws-sdk/client-s3. */
  getS3ClientConfig() {
    return {
      endpoint: this.getEndpoint(),
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: this.accessKey, secretAccessKey: this.secretKey },
    };
  }

  /** Waits for `/_ossemu/health` to answer 200. */
  async waitHealthy(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const r = await fetch(`${this.getEndpoint()}/_ossemu/health`);
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`ossemu did not become healthy at ${this.getEndpoint()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
