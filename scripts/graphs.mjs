// Regenerates the pictures of the shipped course (docs/graphs/NN-ID.svg) and the text pictures
// in docs/graph.md: for each lesson, `course run N` in a fresh lab, then `course graph N` as SVG
// and as text. Labs and progress live in a temp dir; every lab is destroyed at the end.
// Run: npm run build && node scripts/graphs.mjs   (as root, like the tests)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const tmp = mkdtempSync(join(tmpdir(), "course-graphs-"));
const env = {
  ...process.env,
  NO_COLOR: "1",
  COURSE_STATE_DIR: join(tmp, "state"),
  COURSE_RUNTIME_DIR: join(tmp, "runtime"),
};
const course = (...args) =>
  spawnSync(
    process.execPath,
    [join(root, "dist/bin.js"), "--lessons", join(root, "lessons"), ...args],
    {
      cwd: root,
      env,
      encoding: "utf8",
      timeout: 300_000,
    },
  );

const sections = [];
try {
  const list = course("list", "--json");
  if (list.status !== 0) throw new Error(`course list failed:\n${list.stderr}`);
  for (const lesson of JSON.parse(list.stdout)) {
    const nn = String(lesson.position).padStart(2, "0");
    const name = `${nn}-${lesson.id}`;
    const run = course("run", String(lesson.position));
    if (run.status !== 0) {
      // A lesson that needs what this machine lacks (e.g. Docker) is skipped, and said so.
      console.log(`skip ${name}: course run exited ${run.status}\n${run.stderr.trim()}`);
      sections.push(
        `### ${lesson.position}. ${lesson.title}\n\n_Not drawn: \`course run ${lesson.position}\` did not pass on the machine that drew these pictures._\n`,
      );
      continue;
    }
    const svg = course(
      "graph",
      String(lesson.position),
      "--format",
      "svg",
      "-o",
      join(root, "docs/graphs", `${name}.svg`),
    );
    const text = course("graph", String(lesson.position), "--format", "text");
    if (svg.status !== 0 || text.status !== 0) {
      throw new Error(`course graph ${lesson.position} failed:\n${svg.stderr}${text.stderr}`);
    }
    console.log(`drew ${name}`);
    sections.push(
      `### ${lesson.position}. ${lesson.title}\n\n![The lab at the end of lesson ${lesson.position}](graphs/${name}.svg)\n\n\`\`\`\n${text.stdout.trimEnd()}\n\`\`\`\n`,
    );
  }
} finally {
  course("reset", "--all");
  rmSync(tmp, { recursive: true, force: true });
}

const doc = join(root, "docs/graph.md");
const start = "<!-- graphs:start (scripts/graphs.mjs writes this part) -->";
const end = "<!-- graphs:end -->";
const text = readFileSync(doc, "utf8");
const i = text.indexOf(start);
const j = text.indexOf(end);
if (i < 0 || j < i) throw new Error(`${doc}: markers not found`);
writeFileSync(
  doc,
  `${text.slice(0, i + start.length)}\n\n${sections.join("\n")}\n${text.slice(j)}`,
);
console.log(`wrote ${sections.length} lessons into docs/graph.md`);
