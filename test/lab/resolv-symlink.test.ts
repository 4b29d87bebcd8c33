import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { HOLDER_SCRIPT, LAB_ROOT_ID_BASE } from "../../src/lab/lab-scripts.js";
import { runTool } from "../helpers/tool.js";

const dir = mkdtempSync(join(tmpdir(), "course-lab-resolv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Ubuntu (and the Vagrant VM) make /etc/resolv.conf a symlink into /run, and the ssh lab keeps
// its records under /run/course: the lab must still resolve to loopback. Acted out in a mount
// namespace of the test's own, where /etc is a copy whose resolv.conf is such a symlink and /run
// is a private tmpfs (so nothing is created on the host).
test("a resolv.conf symlinked into /run, with records under /run too", () => {
  writeFileSync(join(dir, "holder.pl"), HOLDER_SCRIPT);
  const script = `
set -e
mount --make-rprivate /
mount -t tmpfs outer /run
mkdir -p ${dir}/etc && cp -a /etc/. ${dir}/etc/ 2>/dev/null || true
rm -f ${dir}/etc/resolv.conf && ln -s /run/systemd/resolve/stub-resolv.conf ${dir}/etc/resolv.conf
mount --bind ${dir}/etc /etc
mkdir -p /run/course
sleep 5 | perl ${dir}/holder.pl /run/course/labs symtest symtest 0 root l k map:${LAB_ROOT_ID_BASE} 8m 64 "" >/dev/null &
for i in $(seq 100); do [ -s /run/course/labs/symtest.lab ] && break; sleep 0.02; done
sleep 0.2
P=$(sed -n "s/^pid=//p" /run/course/labs/symtest.lab)
nsenter -t "$P" -U -n -m -p -u -i -- sh -c 'readlink /etc/resolv.conf; head -1 /etc/resolv.conf; hostname'
kill %1 2>/dev/null || true
`;
  const r = runTool("unshare", ["--mount", "sh", "-c", script], { timeout: 20_000 });
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe("/run/systemd/resolve/stub-resolv.conf\nnameserver 127.0.0.1\nsymtest\n");
});
