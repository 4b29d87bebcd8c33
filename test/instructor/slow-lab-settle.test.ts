/**
 * `course test` gives a server started by a `background` fence a few seconds to listen; on a
 * slow lab (COURSE_TIMEOUT_SCALE, the Vagrant VM under emulation, where python3's http.server
 * took longer) that wait scales too, as every other timeout does.
 */
import { afterAll, expect, test } from "vitest";
import { course, isolatedEnv } from "./run-course.js";

const { env, cleanup } = isolatedEnv();
afterAll(cleanup);
const LESSON = "test/fixtures/slow-lab/slow-server.md";

test("a background server slower than the 5 s settle fails, and passes with COURSE_TIMEOUT_SCALE=4", async () => {
  const plain = await course(["test", LESSON], env);
  expect(plain.stdout).toContain("`tcp 127.0.0.1:8000` fails after the step's commands");
  expect(plain.code).toBe(1);
  const scaled = await course(["test", LESSON], { ...env, COURSE_TIMEOUT_SCALE: "4" });
  expect(scaled.code, `${scaled.stdout}\n${scaled.stderr}`).toBe(0);
}, 180_000);
