// Two builds of the lab, measured in turns in one process so that a busy machine weighs on both
// alike: create + destroy of an ephemeral lab, and lab.exec("true") with a process per command.
// Run: npm run build && node bench/lab-pair.mjs OTHER_CHECKOUT   (OTHER_CHECKOUT built too)
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const other = process.argv[2];
if (!other) {
  console.error(
    "usage: node bench/lab-pair.mjs OTHER_CHECKOUT (built, e.g. a git worktree of main)",
  );
  process.exit(2);
}
const builds = [
  ["other", resolve(other, "dist")],
  ["this", resolve(import.meta.dirname, "../dist")],
];
const rounds = Number(process.env.ROUNDS ?? 40);
const root = process.getuid() === 0;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const runtimeDir = mkdtempSync(join(tmpdir(), "course-bench-pair-"));
const loads = [loadavg()[0]];
const results = {};
try {
  const mods = [];
  for (const [name, dist] of builds) {
    const { openLab } = await import(join(dist, "lab/open-lab.js"));
    const { openSandboxLab } = await import(join(dist, "lab/sandbox-lab.js"));
    const { localTransport } = await import(join(dist, "lab/local-transport.js"));
    const spawnLab = await openSandboxLab({
      spec: { kind: "sandbox" },
      key: `pair#${name}`,
      env: process.env,
      label: `pair-${name}`,
      persistent: false,
      runtimeDir,
      transport: localTransport(process.env),
      privileged: root,
      subordinateIds: !root,
      execMode: "spawn",
    });
    await spawnLab.lab.exec("true");
    mods.push({ name, openLab, spawnLab: spawnLab.lab });
    results[name] = { create: [], spawn: [] };
  }
  let n = 0;
  for (let i = 0; i < rounds; i++) {
    for (const m of i % 2 ? [...mods].reverse() : mods) {
      let t = performance.now();
      const { lab } = await m.openLab({
        spec: { kind: "sandbox" },
        env: process.env,
        key: `pair#${n}`,
        label: `pair-${n++}`,
        persistent: false,
        runtimeDir,
      });
      await lab.destroy();
      results[m.name].create.push(performance.now() - t);
      t = performance.now();
      await m.spawnLab.exec("true");
      results[m.name].spawn.push(performance.now() - t);
    }
  }
  for (const m of mods) await m.spawnLab.destroy();
} finally {
  rmSync(runtimeDir, { recursive: true, force: true });
}
loads.push(loadavg()[0]);
const ratio = (key) =>
  median(results.this[key].map((t, i) => t / (results.other[key][i] ?? Number.NaN)));
console.log(
  `mode: ${root ? "root" : "unprivileged"}; ${rounds} rounds; load average ${loads.map((l) => l.toFixed(2)).join(" -> ")}`,
);
for (const [key, what] of [
  ["create", "create + destroy, ephemeral lab"],
  ["spawn", 'lab.exec("true"), a process per command'],
]) {
  console.log(
    `${what}: other ${median(results.other[key]).toFixed(2)} ms, this ${median(results.this[key]).toFixed(2)} ms; median of paired ratios ${ratio(key).toFixed(2)}x`,
  );
}
