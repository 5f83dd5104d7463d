import { AbstractStartedContainer, GenericContainer, StartedTestContainer } from "testcontainers";

/** Where the configuration file goes inside the container. */
export declare const CONFIG_PATH: string;

/** ossemu in a container, in memory, on the host's network; image from OSSEMU_IMAGE. */
export declare class OssemuContainer extends GenericContainer {
  constructor(image?: string);
  /** A bucket ensured at start-up, owned by the default credential. */
  withBucket(name: string, acl?: "private" | "public-read" | "public-read-write" | "authenticated-read"): this;
  /** An ossemu configuration file on this machine, copied into the container. */
  withConfig(path: string): this;
  /** The default credential. */
  withCredentials(accessKey: string, secretKey: string): this;
  /** The configuration file the container gets. */
  renderConfig(): string;
  start(): Promise<StartedOssemuContainer>;
}

/** A running ossemu container. */
export declare class StartedOssemuContainer extends AbstractStartedContainer {
  constructor(started: StartedTestContainer, port: number, from: OssemuContainer);
  readonly port: number;
  getEndpoint(): string;
  getAccessKey(): string;
  getSecretKey(): string;
  getRegion(): string;
  getAliOssOptions(bucket?: string): {
    endpoint: string;
    region: string;
    accessKeyId: string;
    accessKeySecret: string;
    bucket?: string;
  };
  getS3ClientConfig(): {
    endpoint: string;
    region: string;
    forcePathStyle: true;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  waitHealthy(timeoutMs: number): Promise<void>;
}
