import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ensureLabUser, labUserDir, labUserRoot, runAsLabUser } from "../helpers/lab-user.js";

interface WorkerOutput {
  description: string;
  warnings: string[];
  results: Array<{ exitCode: number; stdout: string; stderr: string }>;
}

let dir: string;
let tree: { root: string; cleanup: () => void };
beforeAll(() => {
  if (!existsSync(join(import.meta.dirname, "../../dist/lab/open-lab.js"))) {
    throw new Error("run `npm run build` first: this test runs the built library as another user");
  }
  dir = labUserDir(ensureLabUser());
  tree = labUserRoot(join(import.meta.dirname, "../.."));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
});

function runLab(commands: string[], subids: "auto" | "0", path?: string): WorkerOutput {
  const r = runAsLabUser(
    [
      "node",
      join(tree.root, "test", "lab", "fixtures", "lab-worker.mjs"),
      "run",
      join(dir, `rt-${subids}`),
      subids,
    ],
    path === undefined ? { HOME: dir } : { HOME: dir, PATH: path },
    { input: JSON.stringify(commands) },
  );
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as WorkerOutput;
}

const CAPTURE =
  "(tcpdump -i lo -n -l -c 1 icmp > /tmp/cap 2>&1 || true) & sleep 1; ping -c 1 127.0.0.1 >/dev/null; wait; cat /tmp/cap";

test("unprivileged with subordinate ids: root in the lab, the course's tools work, tcpdump too", () => {
  const out = runLab(
    [
      "id -u; cat /proc/self/uid_map | wc -l",
      "ip link add br0 type bridge && ip link add v0 type veth peer name v1 && ip netns add ns1 && ip link set v1 netns ns1",
      "iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE && iptables -t nat -S POSTROUTING | tail -1",
      CAPTURE,
    ],
    "auto",
  );
  expect(out.description).toBe("sandbox lab (unprivileged, user namespace with subordinate ids)");
  expect(out.warnings).toEqual([]);
  expect(out.results.map((r) => r.exitCode)).toEqual([0, 0, 0, 0]);
  expect(out.results[0]?.stdout).toBe("0\n2\n");
  expect(out.results[2]?.stdout).toBe("-A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE\n");
  expect(out.results[3]?.stdout).toMatch(/ICMP echo request/);
});

test("unprivileged with one id: the lab works and says what it costs (tcpdump cannot drop privileges)", () => {
  const out = runLab(["id -u; ip link add br0 type bridge && ip netns add ns1", CAPTURE], "0");
  expect(out.description).toBe("sandbox lab (unprivileged, user namespace with one id)");
  expect(out.warnings.join("\n")).toMatch(/usermod --add-subuids/);
  expect(out.results[0]).toMatchObject({ exitCode: 0, stdout: "0\n" });
  expect(out.results[1]?.stdout).toMatch(/Couldn't change to 'tcpdump'/);
});

test("a newuidmap that cannot map the subordinate ids: the lab falls back to one id and says so", () => {
  const old = join(tree.root, "test", "lab", "fixtures", "broken-newuidmap");
  const out = runLab(
    ["id -u; ip netns add ns1"],
    "auto",
    `${old}:${process.env.PATH ?? "/usr/bin:/bin"}`,
  );
  expect(out.description).toBe("sandbox lab (unprivileged, user namespace with one id)");
  expect(out.warnings.join("\n")).toMatch(/newuidmap could not map your subordinate ids/);
  expect(out.results[0]).toMatchObject({ exitCode: 0, stdout: "0\n" });
});
