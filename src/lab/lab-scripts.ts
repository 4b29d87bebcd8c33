/**
 * The lab-side half of the sandbox: small POSIX shell scripts run through a Transport, so the
 * very same sandbox works here and on a remote Linux machine (ssh). Everything a lab needs to
 * be found again (its record) lives on the lab machine, under the runtime directory.
 */

/** `${` for the shell, inside String.raw templates. */
const D = "${";

/**
 * The first id of the host range that root in a lab maps to when course runs as root:
 * 1610612736 (3 × 2^29), 65536 ids, far above the ranges `useradd` hands out (100000 onwards,
 * 65536 per user) and below the ranges systemd keeps for its containers (1879048192 and up).
 */
export const LAB_ROOT_ID_BASE = 1610612736;

/** Ids mapped into a lab as root: enough for every system user (tcpdump drops to its own). */
export const LAB_ID_COUNT = 65536;

/**
 * Makes a lab: one perl process (perl-base is part of every Debian and Ubuntu) that does with
 * system calls what a chain of unshare, setpriv, mount, cp, pivot_root, umount, hostname and ip
 * did, each of which cost a process start (~1-2 ms, more on a busy machine). Run as
 * `perl -e HOLDER_SCRIPT -- ARGS`, as the user course runs as. Arguments: 1 labs dir, 2 lab id,
 * 3 hostname, 4 persistent (1|0), 5 mode (root|user), 6 label, 7 key, 8 id map
 * (map:BASE|auto|one), 9 size of each tmpfs (e.g. 64m), 10 process limit, 11 memory limit in
 * bytes (empty: none).
 *
 * The process (the host side) clones the lab's PID 1, the *holder*, in new user, network,
 * mount, PID, UTS and IPC namespaces at once (one process start), which waits while the host
 * side maps its ids: as root, root in the lab is host id BASE and the 65535 after it (written
 * from outside: newuidmap would want root to have subordinate ids); `auto` maps the user's
 * subordinate ids through newuidmap/newgidmap; `one` only the user's own id. As root the host
 * side first makes the lab a memory cgroup of its own (v2 when the unified hierarchy has the
 * memory controller, else v1's memory hierarchy, below course's own cgroup): on v1 it moves
 * itself into it before it clones, so the lab is born in it, and leaves it again; on v2 it moves
 * the lab's PID 1 into it while that builds the lab. Unprivileged, the memory limit is an
 * RLIMIT_AS per process. The holder becomes root of the lab and takes its process limit.
 *
 * The host side writes the lab's record (`ID.lab`, 0600, never through an existing file) from
 * the holder's /proc entries, as the user course runs as, while the holder builds the lab's own
 * root on a tmpfs and pivots into it, so nothing of the host's mounts, /proc or /dev is left to
 * reach (not even by `umount`): each of the host's usual top-level directories (/usr, /etc,
 * /var, /opt, /srv, /home, /root; /bin, /lib… as they are, directories or links) is an overlay
 * (host files below, the lab's writes on the tmpfs above, gone with the lab), or a read-only
 * bind when host filesystems are mounted below it (an overlay in a user namespace cannot show
 * them, nor have / as its lower layer); a /dev of its own with the usual character devices and a
 * devpts instance of its own (ptys for script, tmux, ssh -t); a fresh /proc, /sys, /run (and
 * /run/netns for `ip netns add`), /tmp and /dev/shm, each a tmpfs of its own size; and
 * /etc/resolv.conf pointing at loopback. The lab's sysfs is mounted twice (also at /run/.sysfs):
 * `ip netns exec` unmounts /sys and mounts the namespace's own, which a user namespace may only
 * do while another sysfs stays fully visible. The lab's network settings start at the kernel's
 * defaults, whatever the host has set (a new network namespace copies the host's).
 *
 * The host side prints `ready PID` and exits; an ephemeral lab's stays as a tiny sh that waits
 * for the end of its creator's pipe too (node closes its end when the process it started
 * exits), then for the lab's end, and removes the record and the cgroup. The holder ignores SIGCHLD, so the kernel reaps
 * every orphan of the lab, and becomes a tiny process: a persistent lab's is `sleep infinity`
 * (until killed); an ephemeral lab's is `cat` of its creator's pipe (stdin), which ends at
 * end-of-file, also on `kill -9` of the creator; it keeps the creator's stdout open, so the
 * creator sees the lab end.
 */
export const HOLDER_SCRIPT = String.raw`
my ($labs, $id, $host, $persistent, $mode, $label, $key, $map, $size, $nproc, $mem) = @ARGV;
my ($uid, $gid) = ($<, $( + 0);
my $out = \*STDOUT;
$| = 1;
sub say { syswrite $out, join('', @_) . "\n" }
my $cgroup = '';
# cgroup v1: the memory cgroup this process came from, to leave the lab's again.
my $came_from = '';
my $host_side = 1;
sub fail {
  say 'error ', @_;
  if ($host_side && $cgroup ne '') { leave_cgroup(); rmdir $cgroup }
  exit(1);
}
# System call numbers (perl-base has no syscall.ph): clone mount umount2 pivot_root
# sethostname setgroups setrlimit setresuid setresgid.
my %nr = (x86_64 => [56, 165, 166, 155, 170, 116, 160, 117, 119], aarch64 => [220, 40, 39, 41, 161, 159, 164, 147, 149]);
$nr{riscv64} = $nr{aarch64};
my $arch = do { my $h; open($h, '<', '/proc/sys/kernel/arch') ? <$h> : do { require Config; $Config::Config{archname} } };
$arch =~ s/[-\n].*//s;
my ($CLONE, $MOUNT, $UMOUNT2, $PIVOT, $SETHOSTNAME, $SETGROUPS, $SETRLIMIT, $SETRESUID, $SETRESGID) =
  @{ $nr{$arch} || fail("labs need an x86_64, aarch64 or riscv64 machine, not $arch") };
my ($RDONLY, $NOSUID, $NODEV, $NOEXEC, $REMOUNT, $BIND, $REC, $PRIVATE) =
  (1, 2, 4, 8, 32, 4096, 16384, 1 << 18);
sub put { my ($f, $s) = @_; open(my $h, '>', $f) or return 0; my $ok = syswrite($h, $s); close $h; return $ok }
sub mnt {
  my ($src, $dst, $type, $flags, $data) = @_;
  syscall($MOUNT, $src, $dst, $type // 0, $flags + 0, $data // 0) == 0 or fail("cannot mount $dst: $!");
}
sub limit { syscall($SETRLIMIT, $_[0] + 0, pack('QQ', $_[1], $_[1])) == 0 or fail("cannot set the lab's limit $_[2]: $!") }

unless (-d $labs) { require File::Path; File::Path::make_path($labs, { mode => 0700 }) }
-d $labs or fail("cannot make the lab records directory $labs");
if ($map =~ /^map:/ && (grep { !-d "/sys/module/$_" } qw(bridge veth nf_nat)) && grep { -x "$_/modprobe" } split /:/, $ENV{PATH} // '') {
  # A user namespace cannot load kernel modules: load what the course needs from here.
  system { 'modprobe' } 'modprobe', '-a', '-q', qw(bridge veth nf_nat iptable_nat nft_chain_nat);
}

# As root: the lab's memory cgroup. On cgroup v1 this process moves itself into it, through
# tasks (one thread moving itself: the kernel skips the global lock that a move through
# cgroup.procs takes, which waits for an RCU grace period, 7-20 ms), so the lab's PID 1 is born
# in it; it leaves again before it exits or waits for the lab's end.
make_cgroup() if $map =~ /^map:/ && $mem ne '';
my $moved = $came_from ne '' && put("$cgroup/tasks", '0');

# The host side (this process) and the lab side (the child) talk over two pipes; a third one
# stays open in the lab's PID 1 until it ends.
pipe(my $from_lab, my $to_host) or fail("pipe: $!");
pipe(my $from_host, my $to_lab) or fail("pipe: $!");
pipe(my $lab_end, my $lab_lives) or fail("pipe: $!");
# The lab side is the lab's PID 1, the *holder*, born in new user, network, mount, PID, UTS and
# IPC namespaces (clone, as fork with SIGCHLD: one process start, and the host side knows its
# PID at once to map its ids).
my $hpid = syscall($CLONE, 0x10000000 | 0x40000000 | 0x20000 | 0x20000000 | 0x04000000 | 0x08000000 | 17, 0, 0, 0, 0);
$hpid >= 0 or fail("cannot make the lab's namespaces (clone: $!)");
if ($hpid == 0) { close $from_lab; close $to_lab; ($out, $host_side) = ($to_host, 0); lab_side() }
close $to_host; close $from_host; close $lab_lives;

sub from_lab { my $l = <$from_lab>; defined $l or fail('the lab ended while it was made'); chomp $l; $l =~ /^error (.*)/ and fail($1); return $l }

if ($map =~ /^map:(\d+)$/) {
  my $m = "0 $1 ${LAB_ID_COUNT}\n";
  put("/proc/$hpid/uid_map", $m) && put("/proc/$hpid/gid_map", $m) or fail("cannot map the ids $m into the lab: $!");
} elsif ($map eq 'auto') {
  my $name = getpwuid($uid) // $uid;
  my @u = sub_ids('/etc/subuid', $name, $uid);
  my @g = sub_ids('/etc/subgid', $name, $uid);
  (@u && @g) or fail("no subordinate ids for $name in /etc/subuid and /etc/subgid");
  system({ 'newuidmap' } 'newuidmap', $hpid, 0, $uid, 1, 1, @u) == 0 &&
    system({ 'newgidmap' } 'newgidmap', $hpid, 0, $gid, 1, 1, @g) == 0 or fail('newuidmap/newgidmap could not map the subordinate ids');
}
print $to_lab "mapped $cgroup\n";
close $to_lab;
# It has its ids (the record names them).
from_lab() eq 'root' or fail('the lab did not start');
# cgroup v2: the lab's PID 1 moves into its cgroup while it builds the lab (that move waits for
# an RCU grace period, in parallel with the build). What it did before is charged to ours; it
# starts nothing but itself.
$cgroup eq '' || $moved || put("$cgroup/cgroup.procs", $hpid)
  or do { kill 'KILL', $hpid; fail("cannot move the lab into its cgroup $cgroup: $!") };
leave_cgroup();
# The record, written as the user course runs as; the holder's own identity comes from /proc.
my $stat = do { open(my $h, '<', "/proc/$hpid/stat") or fail("the lab's holder is gone"); local $/; <$h> };
my @st = split / /, substr($stat, rindex($stat, ')') + 2);
my ($huid) = do { open(my $h, '<', "/proc/$hpid/status"); local $/; <$h> } =~ /^Uid:\s+(\d+)/m;
my $hns = join '', map { (stat "/proc/$hpid/ns/$_")[1] . ' ' } qw(net mnt pid uts user);
umask 077;
my $rec;
# O_WRONLY | O_CREAT | O_EXCL: never through a file that is already there.
sysopen($rec, "$labs/$id.lab", 0x1 | 0x40 | 0x80) &&
  syswrite($rec, "pid=$hpid\nppid=$st[1]\nstart=$st[19]\nuid=$huid\nns=$hns\npersistent=$persistent\nmode=$mode\nhostname=$host\nlabel=$label\nkey=$key\ncgroup=$cgroup\n")
  or do { kill 'KILL', $hpid; fail("cannot write $labs/$id.lab: $!") };
close $rec;
my $l = <$from_lab>;
if (!defined $l || $l ne "ready\n") {
  kill 'KILL', $hpid;
  unlink "$labs/$id.lab";
  chomp $l if defined $l;
  fail(defined $l && $l =~ /^error (.*)/ ? $1 : 'the lab ended while it was made');
}
say "cgroup $cgroup" if $cgroup ne '';
say "ready $hpid";
exit(0) if $persistent eq '1';
# Ephemeral: this process stays, as a tiny sh, until the lab's PID 1 ends (a creator may close
# its end of our stdin once we exit: node does), then removes the record and the cgroup: the
# holder cannot, it no longer sees the host.
open(STDIN, '<&', $lab_end);
open(STDOUT, '>', '/dev/null');
open(STDERR, '>', '/dev/null');
exec { 'sh' } 'sh', '-c', <<'END', 'course-lab-end', $hpid, "$labs/$id.lab", $cgroup;
read -r _
# Its end began: the kernel ends the lab's other processes before PID 1 becomes a zombie.
n=0
while [ $n -lt 200 ] && read -r l </proc/$1/stat; do
  case ${D}l##*) } in Z*) break ;; esac
  n=$((n + 1))
done
rm -f -- "$2"
n=0
until [ -z "$3" ] || rmdir -- "$3" || [ ! -d "$3" ] || [ $n -ge 300 ]; do
  n=$((n + 1))
  sleep 0.01
done
END
exit(1);

sub sub_ids {
  my ($file, $name, $id) = @_;
  open(my $h, '<', $file) or return ();
  while (<$h>) { my @f = split /:/; chomp $f[2]; return ($f[1], $f[2]) if @f == 3 && ($f[0] eq $name || $f[0] eq $id) }
  return ();
}

# As root: a memory cgroup of the lab's own, below the one course runs in (cgroup v2 when the
# unified hierarchy has the memory controller, else v1's memory hierarchy).
sub make_cgroup {
  open(my $h, '<', '/proc/self/cgroup') or return '';
  my ($v1, $v2);
  while (<$h>) { chomp; my (undef, $c, $p) = split /:/, $_, 3; $v2 = $p if $c eq ''; $v1 = $p if grep { $_ eq 'memory' } split /,/, $c }
  my ($dir, $limit);
  my $unified = -e '/sys/fs/cgroup/cgroup.controllers' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
  my $c;
  if (defined $v2 && open($c, '<', "$unified/cgroup.controllers") && <$c> =~ /\bmemory\b/) {
    # v2 allows controllers only below a cgroup without processes: a course cgroup at the top.
    put("$unified/course/cgroup.subtree_control", "+memory +pids") if -d "$unified/course" || mkdir "$unified/course";
    ($dir, $limit) = ("$unified/course/$id", 'memory.max');
  } elsif (defined $v1 && -d "/sys/fs/cgroup/memory$v1") {
    $came_from = "/sys/fs/cgroup/memory" . ($v1 eq '/' ? '' : $v1);
    ($dir, $limit) = ("$came_from/course-$id", 'memory.limit_in_bytes');
  } else {
    return '';
  }
  # A lab of the same id that was never destroyed may have left its (empty) cgroup.
  mkdir $dir or (rmdir($dir) && mkdir $dir) or fail("cannot make the lab's cgroup $dir: $!");
  $cgroup = $dir;
  put("$dir/$limit", $mem) or do { fail("cannot limit the lab's memory in $dir: $!") };
  put("$dir/memory.swappiness", "0") if $limit eq 'memory.limit_in_bytes';
  put("$dir/memory.swap.max", "0") if $limit eq 'memory.max';
  return $dir;
}

# Back to the cgroup v1 this process came from (the lab's cgroup is removed only when empty).
sub leave_cgroup { put("$came_from/tasks", '0') if $moved; $moved = 0 }

sub lab_side {
  close $from_lab; close $lab_end;
  umask 022;
  my $l = <$from_host>;
  exit(1) unless defined $l && $l =~ /^mapped (.*)\n/;
  $cgroup = $1;
  if ($map eq 'one') {
    put('/proc/self/setgroups', 'deny'); put('/proc/self/uid_map', "0 $uid 1"); put('/proc/self/gid_map', "0 $gid 1")
      or fail("cannot map your id into the lab: $!");
  } elsif ($map =~ /^map:/) {
    # Root of the lab (host id BASE), no supplementary groups, before anything else runs.
    syscall($SETGROUPS, 0, 0) == 0 && syscall($SETRESGID, 0, 0, 0) == 0 && syscall($SETRESUID, 0, 0, 0) == 0
      or fail("cannot become root of the lab: $!");
  }
  limit(6, $nproc, "of $nproc processes");
  limit(9, $mem, "of $mem bytes per process") if $mem ne '' && $map !~ /^map:/;
  say 'root';
  holder();
}

sub copy_tree {
  my ($src, $dst) = @_;
  if (-l $src) { symlink(readlink($src), $dst) }
  elsif (-d _) {
    mkdir $dst, (stat _)[2] & 07777;
    opendir(my $d, $src) or return;
    copy_tree("$src/$_", "$dst/$_") for grep { $_ ne '.' && $_ ne '..' } readdir $d;
  } elsif (-f _) {
    # System calls only (no PerlIO layers), the mode given at creation (umask 0 here).
    my ($m, $n) = ((stat _)[2] & 07777, (stat _)[7]);
    sysopen(my $i, $src, 0) or return;
    my $data = '';
    1 while sysread($i, $data, $n + 1 - length $data, length $data) && length $data <= $n;
    sysopen(my $o, $dst, 0x1 | 0x40 | 0x80, $m) or return;
    syswrite $o, $data;
  }
}

sub mount_flags {
  my %f = (nosuid => $NOSUID, nodev => $NODEV, noexec => $NOEXEC, noatime => 1024, nodiratime => 2048, relatime => 1 << 21);
  my $n = 0; $n |= $f{$_} // 0 for split /,/, $_[0]; return $n;
}

# PID 1 of the lab: builds the lab's own root, pivots into it, then waits as a tiny process.
sub holder {
  syscall($SETHOSTNAME, $host, length $host) == 0 or fail("cannot set the lab's hostname: $!");
  mnt('none', '/', undef, $REC | $PRIVATE);
  mnt('course-lab', '/tmp', 'tmpfs', 0, "mode=0755,size=$size");
  my (%nested, @mi);
  open(my $h, '<', '/proc/self/mountinfo') or fail("cannot read /proc/self/mountinfo: $!");
  while (<$h>) {
    my @f = split / /;
    push @mi, [$f[4], $f[5]];
    $nested{$1} = 1 if $f[4] =~ m{^/([^/]+)/};
  }
  close $h;
  mkdir $_ for qw(/tmp/u /tmp/w /tmp/r);
  # Each of the host's usual top-level directories: an overlay (host files below, the lab's
  # writes above), or a read-only bind when host filesystems are mounted below it (an overlay
  # in a user namespace cannot show them; nor can one have / as its lower layer).
  my (@after, $etc);
  for my $n (qw(bin sbin lib lib32 lib64 libx32 usr etc var opt srv home root)) {
    my $e = "/$n";
    if (-l $e) { symlink(readlink($e), "/tmp/r$e") or fail("cannot copy the link $e: $!"); next }
    next unless -d _;
    mkdir "/tmp/r$e";
    if ($nested{$n}) {
      push @after, ['rbind', $e];
    } else {
      mkdir "/tmp/u/$n"; mkdir "/tmp/w/$n";
      push @after, ['overlay', $e];
      $etc = '/tmp/u/etc' if $n eq 'etc';
    }
  }
  # The files of /etc that tutorials edit (rt_tables, hosts...) start in the overlay's upper
  # layer, as the lab root's own copies; other files of host ids the lab does not map stay
  # read-only to it.
  my $resolv = '/etc/resolv.conf';
  my $resolv_target;
  if (defined $etc) {
    my $mask = umask 0;
    for (qw(iproute2 hosts hostname networks ethers sysctl.conf sysctl.d nftables.conf iptables)) {
      copy_tree("/etc/$_", "$etc/$_") if -e "/etc/$_";
    }
    umask $mask;
  }
  if (-l $resolv) {
    my $t = readlink $resolv;
    $t = "/etc/$t" unless $t =~ m{^/};
    my @p;
    for (split m{/}, $t) { next if $_ eq '' || $_ eq '.'; if ($_ eq '..') { pop @p } else { push @p, $_ } }
    $resolv_target = '/' . join('/', @p);
  } elsif (-e _) {
    put('/tmp/resolv.conf', "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
  }
  mnt('/tmp/r', '/tmp/r', undef, $BIND);
  for (@after) {
    my ($how, $e) = @$_;
    if ($how eq 'overlay') {
      my $n = substr($e, 1);
      mnt("course-$n", "/tmp/r$e", 'overlay', 0, "lowerdir=$e,upperdir=/tmp/u/$n,workdir=/tmp/w/$n");
    } else {
      # Host filesystems mounted below it: an overlay cannot show them, so a read-only bind of
      # the whole tree, each mount in it made read-only (keeping the flags it is locked with).
      mnt($e, "/tmp/r$e", undef, $BIND | $REC);
      for my $m (@mi) {
        next unless $m->[0] eq $e || index($m->[0], "$e/") == 0;
        syscall($MOUNT, 0, "/tmp/r$m->[0]", 0, $BIND | $REMOUNT | $RDONLY | mount_flags($m->[1]), 0);
      }
    }
  }
  if (defined $resolv_target) {
  } elsif (-e '/tmp/resolv.conf') {
    mnt('/tmp/resolv.conf', '/tmp/r/etc/resolv.conf', undef, $BIND);
  }
  my $r = '/tmp/r';
  mkdir "$r/$_" for qw(dev proc sys run tmp);
  mnt('course-dev', "$r/dev", 'tmpfs', $NOSUID | $NOEXEC, 'mode=0755,size=64k');
  for (qw(null zero full random urandom tty)) {
    open(my $f, '>', "$r/dev/$_") or fail("cannot make /dev/$_: $!");
    close $f;
    mnt("/dev/$_", "$r/dev/$_", undef, $BIND);
  }
  symlink('/proc/self/fd', "$r/dev/fd");
  symlink("/proc/self/fd/$_->[1]", "$r/dev/$_->[0]") for [stdin => 0], [stdout => 1], [stderr => 2];
  symlink('pts/ptmx', "$r/dev/ptmx");
  mkdir "$r/dev/$_" for qw(pts shm);
  mnt('course-pts', "$r/dev/pts", 'devpts', $NOSUID | $NOEXEC, 'newinstance,ptmxmode=0666,mode=0620');
  mnt('course-shm', "$r/dev/shm", 'tmpfs', $NOSUID | $NODEV, "mode=1777,size=$size");
  mnt('course-proc', "$r/proc", 'proc', $NOSUID | $NODEV | $NOEXEC);
  mnt('course-sys', "$r/sys", 'sysfs', $NOSUID | $NODEV | $NOEXEC);
  mnt('course-run', "$r/run", 'tmpfs', $NOSUID | $NODEV, "mode=0755,size=$size");
  mkdir "$r/run/$_" for qw(netns .sysfs);
  mnt('course-netns', "$r/run/netns", 'tmpfs', 0, 'mode=0755,size=1m');
  mnt('course-sys', "$r/run/.sysfs", 'sysfs', $RDONLY | $NOSUID | $NODEV | $NOEXEC);
  mnt('course-tmp', "$r/tmp", 'tmpfs', $NOSUID | $NODEV, "mode=1777,size=$size");
  my $dot = '.';
  chdir $r && syscall($PIVOT, $dot, $dot) == 0 && syscall($UMOUNT2, $dot, 2) == 0 && chdir '/'
    or fail("cannot switch to the lab's own root: $!");
  if (defined $resolv_target && $resolv_target =~ m{^/run/}) {
    require File::Path;
    File::Path::make_path(substr($resolv_target, 0, rindex($resolv_target, '/')));
    put($resolv_target, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
  }
  # Kernel defaults for the lab's network (a new network namespace copies the host's IPv4/IPv6
  # settings, e.g. ip_forward=1 on a Docker or libvirt host).
  put('/proc/sys/net/ipv4/ip_forward', '0');
  for my $c (qw(all default lo)) {
    my %v4 = (rp_filter => 0, accept_redirects => 1, secure_redirects => 1, send_redirects => 1,
      proxy_arp => 0, arp_ignore => 0, arp_announce => 0, arp_filter => 0, log_martians => 0,
      promote_secondaries => 0, accept_local => 0, route_localnet => 0);
    put("/proc/sys/net/ipv4/conf/$c/$_", $v4{$_}) for keys %v4;
    my %v6 = (forwarding => 0, accept_ra => 1, disable_ipv6 => 0);
    put("/proc/sys/net/ipv6/conf/$c/$_", $v6{$_}) for keys %v6;
  }
  # lo up (SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP).
  socket(my $s, 2, 2, 0) or fail("cannot bring lo up in the lab: $!");
  my $ifr = pack('a16 x24', 'lo');
  ioctl($s, 0x8913, $ifr) or fail("cannot bring lo up in the lab: $!");
  my $flags = unpack('x16 s', $ifr) | 1;
  $ifr = pack('a16 s x22', 'lo', $flags);
  ioctl($s, 0x8914, $ifr) or fail("cannot bring lo up in the lab: $!");
  close $s;
  # Ignoring SIGCHLD makes the kernel reap every orphan of the lab (they become PID 1's
  # children), also after exec: PID 1 can be a plain sleep or cat.
  $SIG{CHLD} = 'IGNORE';
  say 'ready';
  open(STDERR, '>', '/dev/null');
  if ($persistent eq '1') {
    open(STDIN, '<', '/dev/null'); open(STDOUT, '>', '/dev/null');
    exec { 'sleep' } 'sleep', 'infinity';
  }
  # Ephemeral: the lab lasts as long as its creator's pipe (stdin); a copy of stdout keeps the creator's
  # stdout open until the lab is gone, so the creator sees it end.
  $^F = 255;
  open(my $keep, '>&', \*STDOUT) or fail("cannot keep the creator's pipe: $!");
  open(my $lives, '>&', $lab_lives) or fail("cannot keep a pipe: $!");
  open(STDOUT, '>', '/dev/null');
  exec { 'cat' } 'cat';
  fail("cannot start the lab's PID 1: $!");
}
`;

/**
 * Shell functions shared by the scripts below. `trusted FILE` is the only way a record is
 * believed (and its `pid` and `cgroup` set): the record is a regular file (not a symlink) of ours
 * that nobody else may write; its holder is alive (same start time), runs as a host uid that is
 * ours to give (our own uid; as root, the first id of the labs' range, which no user is given)
 * and the one the record names, and still has the namespaces it recorded. The runtime dir is
 * private already (ensurePrivateDir); this holds even if a record got there some other way, or a
 * PID was reused. `gone ID` removes a record and the (empty) cgroup it names.
 */
const RECORD_FUNCTIONS = `
umask 077
# stat PID: sets st (state), pp (parent PID), start (start time) from /proc/PID/stat, read after
# the command name, which may hold spaces and parentheses.
pstat() {
  [ -n "$1" ] && read -r l <"/proc/$1/stat" 2>/dev/null || return 1
  set -- ${D}l##*) }
  st=$1 pp=$2
  shift 19
  start=$1
}
alive() {
  pstat "$1" && [ "$st" != Z ] && [ "$start" = "$2" ]
}
trusted() {
  pid= start= uid= ns= rstart= cgroup=
  [ -f "$1" ] && [ ! -L "$1" ] && [ -O "$1" ] || return 1
  while IFS='=' read -r k v; do
    case $k in pid) pid=$v ;; start) rstart=$v ;; uid) uid=$v ;; ns) ns=$v ;; cgroup) cgroup=$v ;; esac
  done <"$1"
  case $pid$uid in '' | *[!0-9]*) return 1 ;; esac
  alive "$pid" "$rstart" || return 1
  while read -r k u _; do [ "$k" = Uid: ] && break; done </proc/self/status
  [ "$u" = 0 ] && u=${LAB_ROOT_ID_BASE}
  [ "$uid" = "$u" ] || return 1
  while read -r k u _; do [ "$k" = Uid: ] && break; done <"/proc/$pid/status"
  [ "$u" = "$uid" ] || return 1
  set -- $(stat -L -c '%a %i' -- "$1" /proc/$pid/ns/net /proc/$pid/ns/mnt /proc/$pid/ns/pid /proc/$pid/ns/uts /proc/$pid/ns/user 2>/dev/null)
  [ $# -eq 12 ] && [ $((0$1 & 022)) -eq 0 ] || return 1
  [ "$4 $6 $8 ${D}10} ${D}12} " = "$ns" ]
}
gone() {
  if [ -z "$cgroup" ] && [ -f "$1.lab" ] && [ ! -L "$1.lab" ] && [ -O "$1.lab" ]; then
    while IFS='=' read -r k v; do [ "$k" = cgroup ] && cgroup=$v; done <"$1.lab"
  fi
  rm -f -- "$1.lab" "$1.fstab" "$1.lock"
  # Only a cgroup of a lab's own (course-ID, or course/ID on cgroup v2), and only when empty.
  case $cgroup in
    /sys/fs/cgroup/*/course-"$1" | /sys/fs/cgroup/*course/"$1")
      n=0
      until rmdir -- "$cgroup" 2>/dev/null || [ ! -d "$cgroup" ] || [ $n -ge 200 ]; do
        n=$((n + 1))
        sleep 0.01
      done ;;
  esac
  cgroup=
}
`;

/**
 * Open (or find) a persistent lab. Arguments: 1 labs dir, 2 lab id, then the holder's argv.
 * Prints `existing` and the record when the lab is alive and its record `trusted`, else starts
 * the holder detached and prints what it prints up to `ready PID`. A lock keeps two CLI runs
 * from racing.
 */
export const OPEN_PERSISTENT_SCRIPT = String.raw`
${RECORD_FUNCTIONS}
labs=$1 id=$2
shift 2
cd "$labs" 2>/dev/null || { mkdir -p -m 700 "$labs" && cd "$labs"; } || exit 1
[ -O . ] && [ ! -L "$labs" ] || { printf 'error the lab records directory %s is not yours\n' "$labs"; exit 1; }
existing() {
  trusted "$id.lab" || return 1
  printf 'existing\n'
  while IFS= read -r l; do printf '%s\n' "$l"; done <"$id.lab"
}
# Most opens find the lab alive: answer without the lock, then check again under it.
existing && exit 0
# Appending never truncates, and a lock that is a symlink is not followed at all.
[ ! -L "$id.lock" ] || rm -f -- "$id.lock"
exec 8>>"$id.lock"
flock 8 || exit 1
existing && exit 0
rm -f -- "$id.lab" "$id.fstab" "$id.fifo"
mkfifo -m 600 "$id.fifo" || exit 1
"$@" >"$id.fifo" 2>&1 </dev/null 8>&- &
exec 9<"$id.fifo"
rm -f -- "$id.fifo"
while IFS= read -r l <&9; do
  printf '%s\n' "$l"
  case $l in ready*) exit 0 ;; esac
done
exit 1
`;

/**
 * Destroy labs by id. Arguments: 1 labs dir, then ids. Kills each holder (PID 1 of the lab, so
 * the kernel ends every process of the lab) and waits until it is gone, then removes the record;
 * a record that is not `trusted` is only removed: its PID is not ours to kill.
 */
export const DESTROY_SCRIPT = `
${RECORD_FUNCTIONS}
cd "$1" 2>/dev/null || exit 0
shift
for id in "$@"; do
  cgroup=
  if trusted "$id.lab"; then
    kill -KILL "$pid" 2>/dev/null
    # The holder is gone within milliseconds: poll without starting processes first. A zombie
    # is gone too (the kernel ended the lab's processes before); whoever it was reparented to
    # (init) reaps it in its own time.
    n=0
    while pstat "$pid" && [ "$st" != Z ] && [ $n -lt 3000 ]; do
      n=$((n + 1))
      [ $n -lt 1000 ] || sleep 0.005
    done
  fi
  gone "$id"
done
`;

/**
 * List labs: for each record prints `lab ID alive|dead` then its record lines then `end`.
 * Records that are not `trusted` (the holder is gone, or it is not the one recorded) are removed.
 */
export const LIST_SCRIPT = String.raw`
${RECORD_FUNCTIONS}
cd "$1" 2>/dev/null || exit 0
for f in *.lab; do
  [ -f "$f" ] || continue
  id=${D}f%.lab}
  if trusted "$f"; then
    printf 'lab %s alive\n' "$id"
    while IFS= read -r l; do printf '%s\n' "$l"; done <"$f"
    printf 'end\n'
  else
    printf 'lab %s dead\nend\n' "$id"
    cgroup=
    gone "$id"
  fi
done
`;

/**
 * The command server, run by bash inside the lab (or on the host for the `host` lab). Reads
 * NUL-terminated `__run` calls on stdin; each runs one script as a job of its own (job control
 * gives it its own process group, so a timeout kills it all), prints `TOKEN ID pid PID` as it
 * starts and `TOKEN ID rc` when the job itself ends: the runner does not wait for pipes that
 * a backgrounded `server &` keeps open. Output of the job goes straight to stdout and stderr.
 *
 * `__run ID NETNS STDIN BACKGROUND SCRIPT [NAME=VALUE...]`: STDIN 1 = inherit the server's
 * stdin (one-shot runs with input: it is a socket, so it is dup'ed, not reopened), else /dev/null. BACKGROUND = a log path: start detached.
 */
export const SERVER_SCRIPT = String.raw`
set -m
__tok=$1
# A fixed environment without starting env -i (a process start costs more than this): drop
# what the transport passed, then set the lab's own (the words after the token).
unset -v $(compgen -e) 2>/dev/null
shift
export "$@"
exec 3>&1 4>&2 2>/dev/null 5</dev/null
cd /tmp 2>/dev/null || cd /
__done() {
  printf '%s %s\n' "$__tok" "$1" >&4
  printf '%s %s rc %s\n' "$__tok" "$1" "$2" >&3
}
__run() {
  __id=$1 __ns=$2 __in=5 __bg=$4 __s=$5
  [ "$3" = 1 ] && __in=0
  shift 5
  if [ -n "$__bg" ]; then
    if [ -n "$__ns" ]; then
      ( exec 3>&- 4>&- 5<&-; [ $# -eq 0 ] || export "$@"; exec ip netns exec "$__ns" setsid bash -e -o pipefail -c "$__s" ) </dev/null >>"$__bg" 2>&1 &
    else
      ( exec 3>&- 4>&- 5<&-; [ $# -eq 0 ] || export "$@"; exec setsid bash -e -o pipefail -c "$__s" ) </dev/null >>"$__bg" 2>&1 &
    fi
    printf 'started in the background (pid %s); its output goes to %s\n' "$!" "$__bg" >&3
    disown
    __done "$__id" 0
    return
  fi
  if [ -n "$__ns" ]; then
    ( exec 3>&- 4>&- 5<&-; [ $# -eq 0 ] || export "$@"; exec ip netns exec "$__ns" bash -e -o pipefail -c "$__s" ) <&"$__in" >&3 2>&4 &
  else
    ( exec 3>&- 4>&- 5<&-; [ $# -eq 0 ] || export "$@"; set -e -o pipefail; eval "$__s" ) <&"$__in" >&3 2>&4 &
  fi
  __p=$!
  printf '%s %s pid %s\n' "$__tok" "$__id" "$__p" >&3
  wait "$__p"
  __done "$__id" "$?"
}
`;

/** The server's read loop (persistent shells) or one call (one-shot runs) follows SERVER_SCRIPT. */
export const SERVER_LOOP = `while IFS= read -r -d '' __c; do eval "$__c"; done`;
