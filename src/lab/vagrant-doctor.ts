import { existsSync } from "node:fs";
import { join } from "node:path";
import { CourseError } from "../errors.js";
import type { DoctorCheck } from "./doctor-checks.js";
import { remoteDoctorChecks } from "./ssh-doctor.js";
import type { LabSpec } from "./types.js";
import {
  INSTALL_HINT,
  upFailureFix,
  type VagrantResult,
  vagrant,
  vagrantDir,
} from "./vagrant-lab.js";
import { parseVagrantStatus } from "./vagrant-ssh-config.js";

/** The Vagrantfile's box when COURSE_VAGRANT_BOX is unset (test/remote checks they agree). */
export const DEFAULT_VAGRANT_BOX = "bento/ubuntu-24.04";

/**
 * `course doctor --lab vagrant`: vagrant installed, a usable provider, the box there, the VM's
 * state, then (when it runs) the remote checks over ssh: connection, tools, a lab, Docker.
 * Never boots the VM: a VM that is not running is a warning with the command that starts it.
 */
export async function vagrantDoctorChecks(
  spec: LabSpec,
  options: { runtimeDir: string; env: NodeJS.ProcessEnv },
): Promise<DoctorCheck[]> {
  const { env } = options;
  const dir = vagrantDir({ env });
  const checks: DoctorCheck[] = [];
  const call = async (args: string[]): Promise<VagrantResult | CourseError> => {
    try {
      return await vagrant(args, dir, env);
    } catch (error) {
      if (error instanceof CourseError) return error;
      throw error;
    }
  };

  if (!existsSync(join(dir, "Vagrantfile")) && env.VAGRANT_CWD === undefined) {
    checks.push({
      name: "vagrant",
      status: "fail",
      detail: `no Vagrantfile in ${dir}`,
      fix: "set COURSE_VAGRANT_DIR to the directory of the course's Vagrantfile (the course repository)",
    });
    return checks;
  }
  // vagrant takes seconds to start: ask it the three questions at once.
  const [version, status, boxes] = await Promise.all([
    call(["--version"]),
    call(["status", "--machine-readable"]),
    call(["box", "list", "--machine-readable"]),
  ]);
  if (version instanceof CourseError || version.exitCode !== 0) {
    checks.push({
      name: "vagrant",
      status: "fail",
      detail:
        version instanceof CourseError
          ? version.message
          : `\`vagrant --version\` failed: ${version.stderr.trim()}`,
      fix: INSTALL_HINT,
    });
    return checks;
  }
  checks.push({
    name: "vagrant",
    status: "ok",
    detail: `${version.stdout.trim()} (Vagrantfile in ${dir})`,
  });

  if (status instanceof CourseError || status.exitCode !== 0) {
    const said =
      status instanceof CourseError ? status.message : `${status.stdout}\n${status.stderr}`;
    checks.push({
      name: "provider",
      status: "fail",
      detail: `\`vagrant status\` failed in ${dir}: ${lastLine(said)}`,
      fix: upFailureFix(said, dir),
    });
    return checks;
  }
  const provider = /^\d*,[^,]*,provider-name,(.+)$/m.exec(status.stdout)?.[1]?.trim() ?? "unknown";
  checks.push({
    name: "provider",
    status: "ok",
    detail: `${provider}${env.VAGRANT_DEFAULT_PROVIDER ? " (VAGRANT_DEFAULT_PROVIDER)" : ""}`,
  });

  const states = parseVagrantStatus(status.stdout);
  const state = states.get("default") ?? [...states.values()][0] ?? "unknown";
  const box = env.COURSE_VAGRANT_BOX || DEFAULT_VAGRANT_BOX;
  const listed =
    boxes instanceof CourseError
      ? []
      : [...boxes.stdout.matchAll(/^\d*,[^,]*,box-name,(.+)$/gm)].map((m) => (m[1] ?? "").trim());
  if (listed.includes(box)) {
    checks.push({ name: "box", status: "ok", detail: `${box} is installed` });
  } else {
    checks.push({
      name: "box",
      status: state === "not_created" ? "warn" : "ok",
      detail:
        state === "not_created"
          ? `${box} is not installed: the first \`vagrant up\` downloads it (needs internet)`
          : `${box} is not installed, but the VM made from it exists`,
      ...(state === "not_created"
        ? {
            fix: `vagrant box add ${box} (or build one offline: scripts/build-vagrant-box.sh, see docs/remote.md, then COURSE_VAGRANT_BOX=NAME)`,
          }
        : {}),
    });
  }

  if (state !== "running") {
    checks.push({
      name: "vm",
      status: "warn",
      detail:
        state === "not_created"
          ? "the VM has not been created yet: the first `course --lab vagrant` command runs `vagrant up` (several minutes)"
          : `the VM is ${state.replaceAll("_", " ")}: the next \`course --lab vagrant\` command boots it`,
      fix: `cd ${dir} && vagrant up`,
    });
    checks.push({
      name: "ssh",
      status: "warn",
      detail: "not checked: the VM is not running",
      fix: `cd ${dir} && vagrant up, then course --lab vagrant doctor again`,
    });
    return checks;
  }
  checks.push({ name: "vm", status: "ok", detail: `running (${provider})` });
  return [...checks, ...(await remoteDoctorChecks(spec, options))];
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "")
      .pop() ?? "no message"
  );
}
