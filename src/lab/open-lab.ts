import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { LabError, UsageError } from "../errors.js";
import { runtimeDir } from "../paths.js";
import { assertLabCanMeet } from "./lab-needs.js";
import { localTransport } from "./local-transport.js";
import { ensurePrivateDir, labIdSecret } from "./private-dir.js";
import type { LabSpec, OpenedLab, OpenLabOptions } from "./types.js";

/**
 * Parse `--lab` / `COURSE_LAB`: `sandbox`, `host`, `vagrant` or `ssh://USER@HOST[:PORT]`.
 * Without a value: `sandbox` on Linux, `vagrant` elsewhere.
 * @throws UsageError for anything else.
 */
export function labSpecFromOption(
  value: string | undefined,
  platform: NodeJS.Platform = process.platform,
): LabSpec {
  const v = value?.trim() ?? "";
  if (v === "") return { kind: platform === "linux" ? "sandbox" : "vagrant" };
  if (v === "sandbox" || v === "host" || v === "vagrant") return { kind: v };
  if (v.startsWith("ssh://")) {
    const target = v.slice("ssh://".length);
    if (!/^[^@\s/]+@[^@\s/]+$/.test(target.replace(/\/$/, ""))) {
      throw new UsageError(`--lab ${v}: expected ssh://USER@HOST[:PORT]`, {
        hint: "e.g. --lab ssh://learner@192.168.56.10 or --lab ssh://root@lab.example:2222",
      });
    }
    return { kind: "ssh", target: target.replace(/\/$/, "") };
  }
  throw new UsageError(
    `unknown lab ${JSON.stringify(v)}: expected sandbox, host, vagrant or ssh://USER@HOST[:PORT]`,
    {
      hint: "Choose with --lab or COURSE_LAB; without either, course uses sandbox on Linux.",
    },
  );
}

/** Whether `user` (name or uid) has subordinate ids in /etc/subuid and /etc/subgid. */
export function hasSubordinateIds(
  user = userInfo(),
  read: (path: string) => string = (p) => readFileSync(p, "utf8"),
): boolean {
  const names = new Set([user.username, String(user.uid)]);
  const has = (path: string) => {
    try {
      return read(path)
        .split("\n")
        .some((line) => {
          const [name, , count] = line.split(":");
          return name !== undefined && names.has(name) && Number(count) > 0;
        });
    } catch {
      return false;
    }
  };
  return has("/etc/subuid") && has("/etc/subgid");
}

/**
 * Open the lab for `options.key`: find a persistent lab again, or create one (then
 * `created` is true and the caller runs the lesson's setup). `needs` choose where: a lesson
 * that needs docker runs in the Vagrant VM's own namespaces, on the host lab as any lesson, and
 * is refused by the sandbox and ssh labs.
 * @throws LabLacksError when the lab can never meet the lesson's needs; LabError when the lab
 * cannot be created or reached.
 */
export async function openLab(options: OpenLabOptions): Promise<OpenedLab> {
  const dir = options.runtimeDir ?? runtimeDir(options.env);
  // Refused before any lab is made or machine is reached: it could never run there.
  assertLabCanMeet(options.spec.kind, options.needs ?? [], options.label);
  switch (options.spec.kind) {
    case "sandbox": {
      if (process.platform !== "linux") {
        throw new LabError("the sandbox lab needs Linux (network namespaces)", {
          hint: "Use --lab vagrant (a Linux VM) or --lab ssh://USER@HOST.",
        });
      }
      const { labLimits, openSandboxLab } = await import("./sandbox-lab.js");
      const privileged = process.getuid?.() === 0;
      ensurePrivateDir(dir);
      return openSandboxLab({
        ...options,
        transport: localTransport(options.env),
        runtimeDir: dir,
        idSecret: labIdSecret(dir),
        privileged,
        subordinateIds: !privileged && hasSubordinateIds(),
        ...labLimits(options.env),
      });
    }
    case "host": {
      const { openHostLab } = await import("./host-lab.js");
      ensurePrivateDir(dir);
      return openHostLab({ ...options, runtimeDir: dir, idSecret: labIdSecret(dir) });
    }
    case "ssh":
    case "vagrant": {
      const file = options.spec.kind === "ssh" ? "./ssh-lab.js" : "./vagrant-lab.js";
      let mod: { openSshLab?: unknown; openVagrantLab?: unknown };
      try {
        mod = (await import(file)) as typeof mod;
      } catch (error) {
        throw new LabError(`the ${options.spec.kind} lab is not available in this build`, {
          cause: error,
          hint: "Use --lab sandbox on Linux.",
        });
      }
      const open = options.spec.kind === "ssh" ? mod.openSshLab : mod.openVagrantLab;
      if (typeof open !== "function") {
        throw new LabError(`the ${options.spec.kind} lab is not available in this build`);
      }
      return (open as (o: OpenLabOptions) => Promise<OpenedLab>)({ ...options, runtimeDir: dir });
    }
  }
}
