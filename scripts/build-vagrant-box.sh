#!/usr/bin/env bash
# Build the course's Vagrant box for libvirt from Debian packages alone: no Vagrant Cloud, and
# nothing downloaded by the VM afterwards.
#
#   scripts/build-vagrant-box.sh OUT.box
#   vagrant box add --name course/debian12 OUT.box
#   COURSE_VAGRANT_BOX=course/debian12 course --lab vagrant start
#
# Debian 12 (bookworm) with the cloud kernel, GRUB, sshd, sudo, systemd-networkd DHCP, the lab
# tools, docker.io with a local `busybox` image (served by Debian's docker-registry on
# 127.0.0.1:5000, Docker's registry mirror, so `docker pull busybox` works offline), Node.js
# (this machine's own, see below) and course itself (built from this checkout). The VM
# user is `vagrant` with Vagrant's insecure key (vagrant replaces it on first `vagrant up`)
# and passwordless sudo. Run as root on Debian 12 with: mmdebstrap fdisk qemu-utils vagrant
# (install.sh lists them "for the test suite"). Takes about a minute on a quiet machine.
#
# Node.js: Debian 12 ships 18.x, course needs 20.19+. Rather than a download, the box gets
# the Node.js that runs this script (its `node` binary and npm), which install.sh already
# required to be 20.19+; both are Debian 12 amd64 builds, so the binary runs in the box.
set -euo pipefail

out=${1:?usage: $0 OUT.box}
here=$(cd "$(dirname "$0")/.." && pwd)
mirror=${COURSE_BOX_MIRROR:-http://deb.debian.org/debian}
security=${COURSE_BOX_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
size=${COURSE_BOX_DISK_GB:-8}

[ "$(id -u)" -eq 0 ] || { echo "build-vagrant-box: run as root (it uses loop devices and chroot)" >&2; exit 2; }
for tool in mmdebstrap sfdisk partx losetup qemu-img node npm; do
  command -v "$tool" >/dev/null || { echo "build-vagrant-box: \`$tool\` is missing: apt-get install mmdebstrap fdisk qemu-utils (and Node.js 20.19+)" >&2; exit 2; }
done
node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  { echo "build-vagrant-box: the box takes this machine's Node.js, which must be 20.19 or later" >&2; exit 2; }
pubkey=""
for k in /usr/share/vagrant/keys/vagrant.pub /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub \
  /opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub; do
  [ -f "$k" ] && { pubkey=$k; break; }
done
[ -n "$pubkey" ] || { echo "build-vagrant-box: Vagrant's insecure public key (keys/vagrant.pub) not found: install vagrant" >&2; exit 2; }
[ -f "$here/dist/bin.js" ] || { echo "build-vagrant-box: build course first (npm run build)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/course-box.XXXXXX")
loop=""
cleanup() {
  set +e
  for m in dev/pts dev proc sys ""; do mountpoint -q "$work/mnt/$m" && umount "$work/mnt/$m"; done
  if [ -n "$loop" ]; then partx -d "$loop" 2>/dev/null; losetup -d "$loop"; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "build-vagrant-box: Debian 12 into $work/root"
# Lab tools as in the Vagrantfile's provisioner (keep both lists in step), plus what an
# offline VM needs: docker-registry and busybox-static for the local busybox image, apparmor
# for `docker run`, rsync for Vagrant's synced folder.
packages=(linux-image-cloud-amd64 grub-pc systemd-sysv udev kmod dbus openssh-server sudo
  ca-certificates iproute2 iptables tcpdump ethtool bridge-utils net-tools iputils-ping uidmap
  python3 procps psmisc curl docker.io apparmor docker-registry busybox-static rsync
  nftables less nano)
mmdebstrap --variant=apt --mode=root --format=directory --include="${packages[*]// /,}" \
  --dpkgopt='path-exclude=/usr/share/{doc,man,locale,info}/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --aptopt='Acquire::Retries "3"' \
  bookworm "$work/root" \
  "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
  "deb $security bookworm-security main"

root=$work/root
echo "build-vagrant-box: configuring"
echo course-lab >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 course-lab\n' >"$root/etc/hosts"
printf 'LABEL=root / ext4 errors=remount-ro 0 1\n' >"$root/etc/fstab"
# DHCP on every Ethernet interface, whatever its name.
cat >"$root/etc/systemd/network/80-dhcp.network" <<'EOF'
[Match]
Name=en* eth*
[Network]
DHCP=yes
EOF
chroot "$root" systemctl enable systemd-networkd >/dev/null 2>&1
# Boot fast under plain emulation: nothing waits for the network, no periodic jobs, and Docker
# starts at its first use (docker.socket) rather than at every boot.
chroot "$root" systemctl mask systemd-networkd-wait-online.service apt-daily.timer \
  apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
  dpkg-db-backup.timer logrotate.timer systemd-update-utmp-runlevel.service \
  getty@tty1.service >/dev/null 2>&1
# No internet in the VM: name lookups of anything but localhost fail fast.
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$root/etc/resolv.conf"
# sshd refuses to start without host keys (and `sshd -t` fails at first boot): make them now.
# They are the box's, shared by every VM made from it: it is a throwaway lab on a private network.
chroot "$root" ssh-keygen -A >/dev/null
echo 'UseDNS no' >"$root/etc/ssh/sshd_config.d/course.conf"
# The vagrant user: insecure key (vagrant swaps it for a fresh one on first up), passwordless sudo.
chroot "$root" useradd -m -s /bin/bash -G sudo vagrant
echo 'vagrant:vagrant' | chroot "$root" chpasswd
install -d -m 700 -o 1000 -g 1000 "$root/home/vagrant/.ssh"
install -m 600 -o 1000 -g 1000 "$pubkey" "$root/home/vagrant/.ssh/authorized_keys"
echo 'vagrant ALL=(ALL) NOPASSWD: ALL' >"$root/etc/sudoers.d/course"
chmod 440 "$root/etc/sudoers.d/course"
chroot "$root" usermod -aG docker vagrant
# The kernel modules the lessons use, loaded at boot (as the provisioner does).
printf '%s\n' bridge veth nf_nat iptable_nat br_netfilter >"$root/etc/modules-load.d/course.conf"
# This machine's extra CA certificates: its TLS may go through a proxy that re-signs them.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1
fi

# Node.js: this machine's (see the top), with npm, and npm told to trust the same CAs.
nodeprefix=$(node -p 'require("path").resolve(process.execPath, "..", "..")')
install -m 755 "$(node -p process.execPath)" "$root/usr/local/bin/node"
npmdir=$(npm root -g)/npm
[ -d "$npmdir" ] || npmdir=$nodeprefix/lib/node_modules/npm
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npmdir" "$root/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
echo 'cafile=/etc/ssl/certs/ca-certificates.crt' >"$root/etc/npmrc"
mkdir -p "$root/usr/local/etc" && cp "$root/etc/npmrc" "$root/usr/local/etc/npmrc"

# course itself, built here (dist + production dependencies), as the provisioner would.
echo "build-vagrant-box: course from $here"
mkdir -p "$root/opt/course"
tar -C "$here" -cf - package.json package-lock.json dist lessons Vagrantfile README.md | tar -C "$root/opt/course" -xf -
(cd "$root/opt/course" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
chmod +x "$root/opt/course/dist/bin.js"
ln -sf /opt/course/dist/bin.js "$root/usr/local/bin/course"

# Docker: the local registry (no auth, loopback only) is Docker's mirror for Docker Hub.
mkdir -p "$root/etc/docker"
cat >"$root/etc/docker/daemon.json" <<'EOF'
{ "registry-mirrors": ["http://127.0.0.1:5000"] }
EOF
cat >"$root/etc/docker/registry/config.yml" <<'EOF'
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: /var/lib/docker-registry
  delete:
    enabled: false
http:
  addr: 127.0.0.1:5000
EOF
chroot "$root" systemctl disable docker.service containerd.service docker-registry.service >/dev/null 2>&1
chroot "$root" systemctl enable docker.socket >/dev/null 2>&1
# The registry starts with Docker (its only client), not at every boot.
mkdir -p "$root/etc/systemd/system/docker.service.d"
printf '[Unit]\nWants=docker-registry.service\nAfter=docker-registry.service\n' \
  >"$root/etc/systemd/system/docker.service.d/course-registry.conf"

# The busybox image, written straight into the registry's storage (no Docker engine runs
# here): one layer with busybox-static and its applets, the image config, a schema-2 manifest.
echo "build-vagrant-box: busybox image"
layer=$work/layer
mkdir -p "$layer/bin" "$layer/tmp" "$layer/etc"
cp "$root/bin/busybox" "$layer/bin/busybox"
for applet in $(chroot "$root" /bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$layer/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$layer/etc/passwd"
echo 'root:x:0:' >"$layer/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$layer" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -9 "$work/layer.tar"
reg=$root/var/lib/docker-registry/docker/registry/v2
blob() { # FILE -> stores it as a blob of library/busybox, prints its digest
  local d
  d=$(sha256sum "$1" | cut -d' ' -f1)
  mkdir -p "$reg/blobs/sha256/${d:0:2}/$d" "$reg/repositories/library/busybox/_layers/sha256/$d"
  cp "$1" "$reg/blobs/sha256/${d:0:2}/$d/data"
  printf 'sha256:%s' "$d" >"$reg/repositories/library/busybox/_layers/sha256/$d/link"
  echo "$d"
}
layer_digest=$(blob "$work/layer.tar.gz")
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"course box: busybox-static %s"}]}' \
  "$diff_id" "$(chroot "$root" dpkg-query -W -f='${Version}' busybox-static)" >"$work/config.json"
config_digest=$(blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%d,"digest":"sha256:%s"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"sha256:%s"}]}' \
  "$(stat -c %s "$work/config.json")" "$config_digest" "$(stat -c %s "$work/layer.tar.gz")" "$layer_digest" >"$work/manifest.json"
m=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
mkdir -p "$reg/blobs/sha256/${m:0:2}/$m"
cp "$work/manifest.json" "$reg/blobs/sha256/${m:0:2}/$m/data"
man=$reg/repositories/library/busybox/_manifests
mkdir -p "$man/revisions/sha256/$m" "$man/tags/latest/current" "$man/tags/latest/index/sha256/$m"
for f in "$man/revisions/sha256/$m/link" "$man/tags/latest/current/link" "$man/tags/latest/index/sha256/$m/link"; do
  printf 'sha256:%s' "$m" >"$f"
done
chroot "$root" chown -R docker-registry: /var/lib/docker-registry

# GRUB reads a hand-written config: serial console (libvirt logs it), the root by label.
kver=$(basename "$(ls "$root"/boot/vmlinuz-* | head -1)" | sed 's/^vmlinuz-//')
mkdir -p "$root/boot/grub"
cat >"$root/boot/grub/grub.cfg" <<EOF
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
insmod part_msdos
insmod ext2
search --no-floppy --label --set=root root
linux /boot/vmlinuz-$kver root=LABEL=root ro console=tty0 console=ttyS0,115200 net.ifnames=0 mitigations=off quiet
initrd /boot/initrd.img-$kver
boot
EOF
chroot "$root" apt-get clean

echo "build-vagrant-box: ${size} GiB disk"
disk=$work/box.img
truncate -s "${size}G" "$disk"
echo 'start=2048, type=83, bootable' | sfdisk -q "$disk"
loop=$(losetup -f --show "$disk")
# losetup -P makes no partition devices on some kernels; partx -a does. Partitions added so
# outlive `losetup -d` (no partition scan then): drop any a former user of this loop device left.
partx -d "$loop" 2>/dev/null || true
partx -a "$loop"
for _ in $(seq 50); do [ -b "${loop}p1" ] && break; sleep 0.1; done
[ -b "${loop}p1" ] || { echo "build-vagrant-box: no partition device ${loop}p1 appeared" >&2; exit 1; }
mkfs.ext4 -q -L root -d "$root" "${loop}p1"
mkdir -p "$work/mnt"
mount "${loop}p1" "$work/mnt"
for m in dev dev/pts proc sys; do mount --bind "/$m" "$work/mnt/$m"; done
chroot "$work/mnt" grub-install --target=i386-pc --no-floppy --boot-directory=/boot "$loop" >/dev/null 2>&1 ||
  chroot "$work/mnt" grub-install --target=i386-pc --no-floppy --boot-directory=/boot "$loop"
for m in dev/pts dev proc sys ""; do umount "$work/mnt/$m"; done
# The partition device may still be busy for a moment after the unmount (udev, blkid): retry.
# Should it stay busy, detaching the loop device drops it anyway, and the image is complete
# (unmounted, so flushed), so that is no reason to fail the build.
for _ in $(seq 20); do partx -d "$loop" 2>/dev/null && break; sync; sleep 0.5; done
losetup -d "$loop"
loop=""

echo "build-vagrant-box: packing"
mkdir -p "$work/box"
qemu-img convert -O qcow2 "$disk" "$work/box/box.img"
echo "{\"provider\":\"libvirt\",\"format\":\"qcow2\",\"virtual_size\":$size}" >"$work/box/metadata.json"
cat >"$work/box/Vagrantfile" <<'EOF'
Vagrant.configure("2") do |config|
  # Debian: else vagrant finds out by trying every guest it knows, a command each (a minute
  # under emulation, at every `vagrant up`).
  config.vm.guest = :debian
  config.vm.provider :libvirt do |lv|
    lv.disk_bus = "virtio"
  end
end
EOF
mkdir -p "$(dirname "$out")"
tar -C "$work/box" -cf "$out.tmp" metadata.json Vagrantfile box.img
mv "$out.tmp" "$out"
echo "build-vagrant-box: $out ($(du -h "$out" | cut -f1))"
