// What an integration test knows about the real servers it runs against.
import { load, type TestEnv } from "../../tools/testenv/environment.ts";

export type { TestEnv };

let cached: TestEnv | undefined;

export function testEnv(): TestEnv {
  const dir = process.env.KEYPORT_TESTENV_DIR;
  if (dir === undefined) {
    throw new Error("KEYPORT_TESTENV_DIR is not set: run integration tests with npm run test:integration");
  }
  cached ??= load(dir);
  return cached;
}
