// Records lesson `l<K>` as complete in the progress file, through the built store. Used by the
// concurrency and kill -9 tests (one process per run, as `course verify` would be).
import { ProgressStore } from "../../dist/progress/progress-store.js";
import { recordResult } from "../../dist/progress/record-result.js";

const [stateDir, courseDir, k, mode] = process.argv.slice(2);
const lesson = (i) => ({
  file: `${courseDir}/${i}.md`,
  id: `l${i}`,
  position: i,
  title: `Lesson ${i}`,
  requires: [],
  needs: [],
  timeout: 30,
  intro: "",
  setup: [],
  steps: [{ index: 1, title: "s", markdown: "", commands: [], checks: [], hints: [] }],
});
const course = { dir: courseDir, lessons: Array.from({ length: 40 }, (_, i) => lesson(i + 1)) };
const store = new ProgressStore({ dir: stateDir });
if (mode === "loop") {
  // Write forever (a big title makes each write take a while) until killed.
  for (let i = 0; ; i++) {
    const l = course.lessons[i % 40];
    await recordResult(store, course, l, {
      passed: [1],
      failed: [],
      complete: true,
      solvedBy: "learner",
    });
  }
} else if (mode === "pair") {
  // Two records from one process: more lock hand-overs, each as another process exits.
  for (const i of [Number(k), Number(k) + 20]) {
    const l = course.lessons[i - 1];
    await recordResult(store, course, l, {
      passed: [1],
      failed: [],
      complete: true,
      solvedBy: "learner",
    });
  }
} else {
  const l = course.lessons[Number(k) - 1];
  await recordResult(store, course, l, {
    passed: [1],
    failed: [],
    complete: true,
    solvedBy: "learner",
  });
}
