import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestSshd } from "../helpers/sshd.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/vagrant");
const VAGRANTFILE = join(import.meta.dirname, "../../Vagrantfile");

/**
 * What the vagrant tests start from: a stand-in `vagrant` in a new temp dir `bin` (put it first
 * on PATH) whose VM is `sshd`, reached as its sudo user like the real box's `vagrant` user, and a
 * new temp dir `project` (COURSE_VAGRANT_DIR) holding the shipped Vagrantfile. The caller removes
 * both.
 */
export function standInVagrantProject(sshd: TestSshd): { bin: string; project: string } {
  const bin = mkdtempSync(join(tmpdir(), "course-vagrant-bin-"));
  const project = mkdtempSync(join(tmpdir(), "course-vagrant-dir-"));
  copyFileSync(VAGRANTFILE, join(project, "Vagrantfile"));
  standInVagrant(bin, sshd, sshd.sudoUser ?? "root");
  return { bin, project };
}

/**
 * Write a stand-in `vagrant` into `bin` that prints only what vagrant prints (recorded
 * output), keeps the VM's state in `bin/state`, logs its calls to `bin/calls`, and whose
 * `ssh-config` points at the test sshd as `user`. Files in `bin` steer it: `fail-up` makes
 * `vagrant up` fail as VirtualBox does; `no-ssh` makes `ssh-config` say the VM is not ready.
 */
export function standInVagrant(bin: string, sshd: TestSshd, user: string): void {
  const config = [
    "Host default",
    "  HostName 127.0.0.1",
    `  User ${user}`,
    `  Port ${sshd.port}`,
    "  UserKnownHostsFile /dev/null",
    "  StrictHostKeyChecking no",
    "  PasswordAuthentication no",
    `  IdentityFile ${sshd.key}`,
    "  IdentitiesOnly yes",
    "  LogLevel FATAL",
    "  PubkeyAcceptedKeyTypes +ssh-rsa",
    "  HostKeyAlgorithms +ssh-rsa",
    "",
  ].join("\n");
  writeFileSync(join(bin, "ssh-config.txt"), config);
  writeFileSync(
    join(bin, "vagrant"),
    `#!/bin/sh
here=$(dirname "$0")
state=$(cat "$here/state")
echo "$*" >>"$here/calls"
case "$1" in
  status)
    case $state in
      running) cat "${FIXTURES}/status-running.txt" ;;
      poweroff) cat "${FIXTURES}/status-poweroff.txt" ;;
      *) cat "${FIXTURES}/status-not-created.txt" ;;
    esac ;;
  up)
    if [ -e "$here/fail-up" ]; then
      echo "Bringing machine 'default' up with 'virtualbox' provider..."
      echo "VirtualBox is complaining that the kernel module is not loaded. Please" >&2
      echo "run \\\`VBoxManage --version\\\` or open the VirtualBox GUI to see the error" >&2
      exit 1
    fi
    while IFS= read -r line; do echo "$line"; done <"${FIXTURES}/up-from-not-created.txt"
    echo running >"$here/state" ;;
  ssh-config)
    if [ "$state" = running ] && [ ! -e "$here/no-ssh" ]; then cat "$here/ssh-config.txt"
    else cat "${FIXTURES}/ssh-config-not-running.txt" >&2; exit 1; fi ;;
  *) echo "stand-in vagrant: unexpected: $*" >&2; exit 1 ;;
esac
`,
    { mode: 0o755 },
  );
  writeFileSync(join(bin, "state"), "not_created\n");
  writeFileSync(join(bin, "calls"), "");
}
