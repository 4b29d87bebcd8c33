// Evaluates check lines in a fresh sandbox lab after a setup script, and prints the results as
// JSON. Run by unprivileged.test.ts as an unprivileged user (imports the built ../../dist).
// Usage: node evaluate-as.mjs SETUP-SCRIPT JSON-ARRAY-OF-CHECK-LINES
import { evaluateChecks } from "../../dist/checks/evaluate-checks.js";
import { openLab } from "../../dist/lab/open-lab.js";
import { parseCheckLine } from "../../dist/lesson/parse-check.js";

const [setup = "", linesJson = "[]"] = process.argv.slice(2);
const lines = JSON.parse(linesJson);
const { lab } = await openLab({
  spec: { kind: "sandbox" },
  env: process.env,
  key: `evaluate-as-${process.pid}`,
  label: "evaluate-as",
  persistent: false,
});
try {
  const r = await lab.exec(setup);
  if (r.exitCode !== 0) throw new Error(`setup failed: ${r.stderr}`);
  const checks = lines.map((l, i) => {
    const parsed = parseCheckLine(l, { file: "t.md", line: i + 1, column: 1 });
    if (parsed.check === undefined) throw new Error(`bad check ${l}`);
    return parsed.check;
  });
  const results = await evaluateChecks(lab, checks, { timeout: 3 });
  const out = results.map((x) => ({ source: x.check.source, passed: x.passed, found: x.found }));
  console.log(JSON.stringify({ kind: lab.description, results: out }));
} finally {
  await lab.destroy();
}
