import { describe, expect, test } from "vitest";
import { UsageError } from "../../src/errors.js";
import { CappedOutput } from "../../src/lab/capped-output.js";
import { hasSubordinateIds, labSpecFromOption } from "../../src/lab/open-lab.js";
import { sandboxLabId } from "../../src/lab/sandbox-lab.js";
import { shellJoin, shellQuote } from "../../src/lab/shell-quote.js";

describe("labSpecFromOption", () => {
  test("defaults: sandbox on Linux, vagrant elsewhere", () => {
    expect(labSpecFromOption(undefined, "linux")).toEqual({ kind: "sandbox" });
    expect(labSpecFromOption("", "linux")).toEqual({ kind: "sandbox" });
    expect(labSpecFromOption(undefined, "darwin")).toEqual({ kind: "vagrant" });
    expect(labSpecFromOption(undefined, "win32")).toEqual({ kind: "vagrant" });
  });
  test("named labs and ssh targets", () => {
    expect(labSpecFromOption("host")).toEqual({ kind: "host" });
    expect(labSpecFromOption("vagrant", "linux")).toEqual({ kind: "vagrant" });
    expect(labSpecFromOption("ssh://learner@10.0.0.5")).toEqual({
      kind: "ssh",
      target: "learner@10.0.0.5",
    });
    expect(labSpecFromOption("ssh://root@lab.example:2222")).toEqual({
      kind: "ssh",
      target: "root@lab.example:2222",
    });
  });
  test("anything else is a usage error that lists the choices", () => {
    for (const bad of ["docker", "ssh://", "ssh://hostonly", "SANDBOX"]) {
      expect(() => labSpecFromOption(bad)).toThrow(UsageError);
    }
    expect(() => labSpecFromOption("docker")).toThrow(
      /expected sandbox, host, vagrant or ssh:\/\/USER@HOST\[:PORT\]/,
    );
  });
});

test("hasSubordinateIds needs a range in both files, by name or uid", () => {
  const user = { username: "ann", uid: 1000, gid: 1000, shell: null, homedir: "/home/ann" };
  const files = (subuid: string, subgid: string) => (p: string) =>
    p === "/etc/subuid" ? subuid : subgid;
  expect(hasSubordinateIds(user, files("ann:100000:65536\n", "ann:100000:65536\n"))).toBe(true);
  expect(hasSubordinateIds(user, files("1000:100000:65536\n", "ann:100000:65536\n"))).toBe(true);
  expect(hasSubordinateIds(user, files("bob:100000:65536\n", "ann:100000:65536\n"))).toBe(false);
  expect(hasSubordinateIds(user, files("ann:100000:65536\n", ""))).toBe(false);
  expect(
    hasSubordinateIds(user, () => {
      throw new Error("ENOENT");
    }),
  ).toBe(false);
});

test("CappedOutput keeps the last bytes and says how many were cut", () => {
  const live: string[] = [];
  const out = new CappedOutput(10, (s) => live.push(s));
  out.push(Buffer.from("0123456789"));
  expect(out.truncated).toBe(false);
  out.push(Buffer.from("abc"));
  out.push(Buffer.from("defghijklmnopqrstuvwxyz"));
  expect(out.truncated).toBe(true);
  expect(out.text()).toBe("[course: 26 bytes of output cut; the last 10 bytes follow]\nqrstuvwxyz");
  expect(live.join("")).toBe("0123456789abcdefghijklmnopqrstuvwxyz");
  // A multi-byte character split across chunks reaches the live view whole.
  const utf = new CappedOutput(100, (s) => live.push(s));
  live.length = 0;
  const e = Buffer.from("é");
  utf.push(e.subarray(0, 1));
  utf.push(e.subarray(1));
  expect(live).toEqual(["é"]);
});

test("shellQuote survives every character", () => {
  expect(shellQuote("plain-word_1.2")).toBe("plain-word_1.2");
  expect(shellQuote("")).toBe("''");
  expect(shellQuote("it's $HOME `x` \\ \n")).toBe("'it'\\''s $HOME `x` \\ \n'");
  expect(shellJoin(["a b", "c"])).toBe("'a b' c");
});

test("lab ids: stable for persistent labs, unique for ephemeral ones, safe as names", () => {
  const a = sandboxLabId("/course#bridge", "bridge", true);
  expect(a).toMatch(/^bridge-[0-9a-f]{12}$/);
  expect(sandboxLabId("/course#bridge", "bridge", true)).toBe(a);
  expect(sandboxLabId("/other#bridge", "bridge", true)).not.toBe(a);
  expect(sandboxLabId("/course#bridge", "bridge", false)).not.toBe(
    sandboxLabId("/course#bridge", "bridge", false),
  );
  expect(sandboxLabId("k", "Ünïcode / name!", true)).toMatch(/^n-code-name-[0-9a-f]{12}$/);
  // Keyed with the user's secret: another user cannot derive the id from the course's path.
  const keyed = sandboxLabId("/course#bridge", "bridge", true, "s3cret");
  expect(keyed).toBe(sandboxLabId("/course#bridge", "bridge", true, "s3cret"));
  expect(keyed).not.toBe(a);
  expect(keyed).not.toBe(sandboxLabId("/course#bridge", "bridge", true, "other"));
});

describe("doctor", () => {
  test("names each user-namespace problem with the exact fix", async () => {
    const { runDoctorChecks } = await import("../../src/lab/doctor-checks.js");
    const sysctls: Record<string, string> = {
      "user.max_user_namespaces": "0",
      "kernel.unprivileged_userns_clone": "0",
      "kernel.apparmor_restrict_unprivileged_userns": "1",
    };
    const checks = await runDoctorChecks({
      env: process.env,
      runtimeDir: "/nonexistent",
      root: false,
      sysctl: (name) => sysctls[name],
      tryLab: false,
    });
    const byName = (name: string) => checks.filter((c) => c.name === name);
    expect(byName("user namespaces").map((c) => [c.status, c.fix])).toEqual([
      ["fail", expect.stringContaining("sudo sysctl -w user.max_user_namespaces=15000")],
      ["fail", expect.stringContaining("sudo sysctl -w kernel.unprivileged_userns_clone=1")],
    ]);
    expect(byName("AppArmor")[0]).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("Ubuntu 24.04"),
      fix: expect.stringContaining("sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"),
    });
    expect(byName("kernel modules")).toHaveLength(1);
    expect(byName("subordinate ids")).toHaveLength(1);
  });

  test("a healthy unprivileged setup has no failures", async () => {
    const { runDoctorChecks } = await import("../../src/lab/doctor-checks.js");
    const checks = await runDoctorChecks({
      env: process.env,
      runtimeDir: "/nonexistent",
      root: false,
      sysctl: () => undefined,
      tryLab: false,
    });
    expect(checks.filter((c) => c.status === "fail")).toEqual([]);
  });
});
