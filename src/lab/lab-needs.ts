/**
 * Where a lesson's `needs` can be met. `docker` means a Docker engine whose bridge, veths and
 * rules the lesson observes, as in the Vagrant VM: that engine lives in a machine's own
 * namespaces, which a sandbox (its own network namespace and /run) can never show.
 */
import { LabLacksError } from "../errors.js";
import { detectFeatures, isKernelFeature } from "./lab-features.js";
import type { Lab, LabCapabilities, LabKind } from "./types.js";

/** How to run a lesson that needs docker: the same words everywhere they are said. */
export const DOCKER_FIX =
  "run it in the Vagrant VM (`course --lab vagrant …`), or inside a throwaway VM with Docker using `--lab host`";

/** Why a lab of `kind` can never host a lesson that needs docker; undefined when it can. */
function whyNoDocker(kind: LabKind): string | undefined {
  switch (kind) {
    case "sandbox":
      return "the sandbox lab has network namespaces and a /run of its own, where no Docker engine answers and the real docker0 is not visible";
    case "ssh":
      return "on an ssh lab it runs in a sandbox on that machine, which sees neither its Docker engine nor its real docker0 (its own namespaces are used only in the Vagrant VM, a throwaway machine made for this)";
    default:
      return undefined;
  }
}

/**
 * Refuse a lesson whose `needs` a lab of `kind` can never meet, before any lab is made.
 * @throws LabLacksError (exit 4) naming the lesson, why, and the fix.
 */
export function assertLabCanMeet(kind: LabKind, needs: readonly string[], label: string): void {
  if (!needs.includes("docker")) return;
  const why = whyNoDocker(kind);
  if (why === undefined) return;
  throw new LabLacksError(
    `lesson \`${label}\` needs docker: ${why}`,
    "docker",
    `needs docker: ${DOCKER_FIX} (${why})`,
    {
      hint: `${DOCKER_FIX[0]?.toUpperCase()}${DOCKER_FIX.slice(1)}.`,
    },
  );
}

/** How to run a lesson whose kernel feature this machine lacks. */
export const FEATURE_FIX =
  "run it in the Vagrant VM (`course --lab vagrant …`), whose kernel has every feature a lesson may need; `course test --fallback-lab vagrant` sends just those lessons there";

/**
 * The first of `needs` that `lab` lacks, as a LabLacksError (exit 4 for start/verify, a skip
 * with its reason for `course test`); undefined when the lab has them all. Docker is asked of
 * the lab; kernel features are tried in a scratch namespace inside it (one round trip).
 */
export async function lackingNeed(
  lab: Lab,
  needs: readonly string[],
  label: string,
): Promise<LabLacksError | undefined> {
  if (needs.includes("docker")) {
    const docker = unmetNeeds(["docker"], await lab.capabilities(), label, lab.description);
    if (docker !== undefined) return docker;
  }
  const features = needs.filter(isKernelFeature);
  if (features.length === 0) return undefined;
  const missing = (await detectFeatures(lab, features)).filter((f) => !f.available);
  const first = missing[0];
  if (first === undefined) return undefined;
  const names = missing.map((m) => m.need).join(", ");
  const why = missing.map((m) => `${m.need}: ${m.detail}`).join("; ");
  return new LabLacksError(
    `lesson \`${label}\` needs ${names}, which the kernel of the ${lab.description} lacks (${why})`,
    first.need,
    `needs ${names}, which this kernel lacks (${why}): ${FEATURE_FIX}`,
    { hint: `${FEATURE_FIX[0]?.toUpperCase()}${FEATURE_FIX.slice(1)}.` },
  );
}

/**
 * The `needs` a lab that was made lacks (e.g. the VM's or this machine's Docker engine is not
 * running), as a LabLacksError; undefined when every need is met.
 */
export function unmetNeeds(
  needs: readonly string[],
  capabilities: LabCapabilities,
  label: string,
  description: string,
): LabLacksError | undefined {
  for (const need of needs) {
    if (need === "docker" && capabilities.docker) continue;
    if (need === "docker") {
      const fix = `start Docker there (\`sudo systemctl start docker\`; on the Vagrant VM \`vagrant provision\` installs it), or ${DOCKER_FIX}`;
      return new LabLacksError(
        `lesson \`${label}\` needs docker, and no Docker engine answers in the ${description} (\`docker info\` failed)`,
        "docker",
        `needs docker, and no Docker engine answers in this lab (\`docker info\` failed): ${fix}`,
        { hint: `${fix[0]?.toUpperCase()}${fix.slice(1)}.` },
      );
    }
    return new LabLacksError(
      `lesson \`${label}\` needs ${need}, which the ${description} does not offer`,
      need,
      `needs ${need}, which this lab does not offer`,
    );
  }
  return undefined;
}
