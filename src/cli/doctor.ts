import pc from "picocolors";
import { runDoctorChecks } from "../lab/doctor-checks.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import { runtimeDir } from "../paths.js";
import { type CommandContext, useColor } from "./context.js";

/**
 * `course doctor [--json]`: check that this machine can run sandbox labs, and print the exact
 * command that fixes each problem.
 * @returns 0 when labs work, 1 when a check failed.
 */
export async function doctorCommand(
  ctx: CommandContext,
  options: { json: boolean },
): Promise<number> {
  const spec = labSpecFromOption(ctx.global.lab);
  // ssh and vagrant labs run on another machine: check that one (reachable, tools, a lab).
  // The vagrant lab first checks vagrant itself (provider, box, VM state), then the VM over ssh.
  const checks =
    spec.kind === "vagrant"
      ? await (await import("../lab/vagrant-doctor.js")).vagrantDoctorChecks(spec, {
          runtimeDir: runtimeDir(ctx.env),
          env: ctx.env,
        })
      : spec.kind === "ssh"
        ? await (await import("../lab/ssh-doctor.js")).remoteDoctorChecks(spec, {
            runtimeDir: runtimeDir(ctx.env),
            env: ctx.env,
          })
        : await runDoctorChecks({ runtimeDir: runtimeDir(ctx.env) });
  const failed = checks.some((c) => c.status === "fail");
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify({ ok: !failed, checks }, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  const color = useColor(ctx);
  const paint = (s: string, f: (t: string) => string) => (color ? f(s) : s);
  for (const c of checks) {
    const mark =
      c.status === "ok"
        ? paint("ok  ", pc.green)
        : c.status === "warn"
          ? paint("warn", pc.yellow)
          : paint("FAIL", pc.red);
    ctx.stdout.write(`${mark} ${c.name}: ${c.detail}\n`);
    if (c.fix) ctx.stdout.write(`     fix: ${c.fix}\n`);
  }
  ctx.stdout.write(
    failed
      ? "\nSome checks failed: run the fix commands above, then `course doctor` again.\n"
      : "\nThis machine can run course labs.\n",
  );
  return failed ? 1 : 0;
}
