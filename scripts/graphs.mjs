// Regenerates the pictures of the shipped course (docs/graphs/NN-ID.svg) and the text pictures
// in docs/graph.md: for each lesson, `course run N` in a fresh lab, then `course graph N` as SVG
// and as text. Labs and progress live in a temp dir; every lab is destroyed at the end.
// Run: npm run build && node scripts/graphs.mjs   (as root, like the tests)
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCourse } from "../dist/load-course.js";
import { tempCourse } from "./temp-course.mjs";

const root = join(import.meta.dirname, "..");
const { course, dispose } = tempCourse({
  prefix: "course-graphs-",
  args: ["--lessons", join(root, "lessons")],
  timeout: 300_000,
});

const sections = [];
try {
  const { course: shipped } = await loadCourse({ cwd: root, lessons: join(root, "lessons") });
  for (const lesson of shipped.lessons) {
    const nn = String(lesson.position).padStart(2, "0");
    const name = `${nn}-${lesson.id}`;
    if (lesson.needs.includes("docker") && spawnSync("docker", ["info"]).status !== 0) {
      console.log(`skip ${name}: needs Docker, which this machine lacks`);
      sections.push(
        `### ${lesson.position}. ${lesson.title}\n\n_Not drawn: this lesson needs Docker (the Vagrant VM has it); run \`course graph ${lesson.position}\` there._\n`,
      );
      continue;
    }
    const run = course("run", String(lesson.position));
    // Exit 1 with every command run means a check failed: the lab still holds the solution's
    // end state, so it is drawn, with a note. A failed command, or any other exit, is skipped.
    const commandFailed = /✗ exit \d+/.test(run.stdout);
    if ((run.status !== 0 && run.status !== 1) || commandFailed) {
      // A lesson that needs what this machine lacks (e.g. Docker) is skipped, and said so.
      console.log(`skip ${name}: course run exited ${run.status}\n${run.stderr.trim()}`);
      sections.push(
        `### ${lesson.position}. ${lesson.title}\n\n_Not drawn: \`course run ${lesson.position}\` could not run its commands on the machine that drew these pictures._\n`,
      );
      continue;
    }
    const note =
      run.status === 0
        ? ""
        : `_When this was drawn, not every check of the lesson passed after \`course run ${lesson.position}\`._\n\n`;
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
      `### ${lesson.position}. ${lesson.title}\n\n${note}![The lab at the end of lesson ${lesson.position}](graphs/${name}.svg)\n\n\`\`\`\n${text.stdout.trimEnd()}\n\`\`\`\n`,
    );
  }
} finally {
  dispose();
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
