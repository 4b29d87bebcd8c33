import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DEFAULT_VAGRANT_BOX } from "../../src/lab/vagrant-doctor.js";
import {
  parseVagrantSshConfig,
  parseVagrantStatus,
  sshConfigValue,
  type VagrantSshHost,
  vagrantSshOptions,
} from "../../src/lab/vagrant-ssh-config.js";
import { tool } from "../helpers/tool.js";

/** The block at `index`, failing the test when vagrant's output held fewer. */
function block(hosts: VagrantSshHost[], index = 0): VagrantSshHost {
  const host = hosts[index];
  if (host === undefined) throw new Error(`expected a Host block #${index}`);
  return host;
}

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../fixtures/vagrant", name), "utf8");

describe("parseVagrantSshConfig on recorded output", () => {
  test("VirtualBox on Linux: one host, every key in order", () => {
    const hosts = parseVagrantSshConfig(fixture("ssh-config-virtualbox.txt"));
    expect(hosts).toHaveLength(1);
    const [host] = hosts;
    expect(host?.host).toBe("default");
    expect(host?.entries.map((e) => e.key)).toEqual([
      "HostName",
      "User",
      "Port",
      "UserKnownHostsFile",
      "StrictHostKeyChecking",
      "PasswordAuthentication",
      "IdentityFile",
      "IdentitiesOnly",
      "LogLevel",
      "PubkeyAcceptedKeyTypes",
      "HostKeyAlgorithms",
    ]);
    expect(vagrantSshOptions(block(hosts))).toEqual({
      target: { host: "127.0.0.1", user: "vagrant", port: 2222 },
      options: [
        "-F",
        "/dev/null",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "PasswordAuthentication=no",
        "-i",
        "/home/ada/src/course/.vagrant/machines/default/virtualbox/private_key",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "PubkeyAcceptedKeyTypes=+ssh-rsa",
        "-o",
        "HostKeyAlgorithms=+ssh-rsa",
      ],
    });
  });

  test("Windows: CRLF line ends and a quoted key path with a space", () => {
    const host = block(parseVagrantSshConfig(fixture("ssh-config-windows.txt")));
    expect(sshConfigValue(host, "identityfile")).toBe(
      "C:/Users/Ada Lovelace/src/course/.vagrant/machines/default/virtualbox/private_key",
    );
    const { target, options } = vagrantSshOptions(host);
    expect(target).toEqual({ host: "127.0.0.1", user: "vagrant", port: 2200 });
    expect(options).toContain(
      "C:/Users/Ada Lovelace/src/course/.vagrant/machines/default/virtualbox/private_key",
    );
    expect(options.join(" ")).not.toMatch(/\r|LogLevel/);
  });

  test("libvirt with two machines: two blocks, repeated IdentityFile kept", () => {
    const hosts = parseVagrantSshConfig(fixture("ssh-config-libvirt-two-machines.txt"));
    expect(hosts.map((h) => [h.host, sshConfigValue(h, "HostName")])).toEqual([
      ["lab", "192.168.121.45"],
      ["router", "192.168.121.46"],
    ]);
    const { options } = vagrantSshOptions(block(hosts));
    expect(options.filter((_, i) => options[i - 1] === "-i")).toEqual([
      "/home/ada/.vagrant.d/insecure_private_keys/vagrant.key.ed25519",
      "/home/ada/.vagrant.d/insecure_private_keys/vagrant.key.rsa",
    ]);
  });

  test("vagrant's 'not ready for SSH' message holds no host", () => {
    expect(parseVagrantSshConfig(fixture("ssh-config-not-running.txt"))).toEqual([]);
  });

  test("Key=value form and comments are accepted", () => {
    expect(parseVagrantSshConfig("# made by hand\nHost=vm\n  Port=2201\n")).toEqual([
      { host: "vm", entries: [{ key: "Port", value: "2201" }] },
    ]);
  });
});

describe("parseVagrantStatus on recorded output", () => {
  test("running, poweroff and not_created", () => {
    expect(parseVagrantStatus(fixture("status-running.txt"))).toEqual(
      new Map([["default", "running"]]),
    );
    expect(parseVagrantStatus(fixture("status-poweroff.txt")).get("default")).toBe("poweroff");
    expect(parseVagrantStatus(fixture("status-not-created.txt")).get("default")).toBe(
      "not_created",
    );
  });
});

test("the repo's Vagrantfile is valid Ruby and provisions the lab tools", () => {
  const file = join(import.meta.dirname, "../../Vagrantfile");
  expect(tool("ruby", ["-c", file])).toBe("Syntax OK\n");
  const text = readFileSync(file, "utf8");
  // COURSE_VAGRANT_BOX, else the default that `course doctor --lab vagrant` also names.
  expect(text).toMatch(/config\.vm\.box = .*ENV\["COURSE_VAGRANT_BOX"\]/);
  expect(text).toContain(`"${DEFAULT_VAGRANT_BOX}"`);
  // The provisioner's package list (one dpkg-query for them all).
  const pkgs = (/pkgs="([^"]*)"/.exec(text)?.[1] ?? "").split(/\s+/);
  expect(pkgs).toEqual(
    expect.arrayContaining([
      "iproute2",
      "iptables",
      "tcpdump",
      "ethtool",
      "bridge-utils",
      "net-tools",
      "iputils-ping",
      "uidmap",
      "python3",
      "docker.io",
    ]),
  );
});
