import { type CommandContext, useColor } from "../context.js";
import { runDoctorChecks } from "../lab/doctor-checks.js";
import { labSpecFromOption } from "../lab/open-lab.js";
import { runtimeDir } from "../paths.js";
import { renderDoctorReport } from "../render/render-doctor-report.js";

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
        : await runDoctorChecks({ runtimeDir: runtimeDir(ctx.env), env: ctx.env });
  const failed = checks.some((c) => c.status === "fail");
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify({ ok: !failed, checks }, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  ctx.stdout.write(renderDoctorReport(checks, useColor(ctx)));
  return failed ? 1 : 0;
}
