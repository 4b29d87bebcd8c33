/**
 * The lab-side half of the sandbox: small POSIX shell scripts run through a Transport, so the
 * very same sandbox works here and on a remote Linux machine (ssh). Everything a lab needs to
 * be found again (its record) lives on the lab machine, under the runtime directory.
 */

/** `${` for the shell, inside String.raw templates. */
const D = "${";

/**
 * The holder's identity for its record, worked out by INIT_SCRIPT: `huid`, the host uid it runs
 * as (its uid inside the lab translated through its uid_map: with a user namespace that is
 * not the uid inside), and `hns`, the inode numbers of its namespaces (`nsids PID`).
 */
const HOLDER_IDENTITY = `
while read -r k u _; do [ "$k" = Uid: ] && break; done </proc/self/status
huid=
while read -r i o n; do
  [ "$u" -ge "$i" ] && [ "$u" -lt $((i + n)) ] && huid=$((o + u - i)) && break
done </proc/self/uid_map
hns=$(stat -L --printf '%i ' -- /proc/$hpid/ns/net /proc/$hpid/ns/mnt /proc/$hpid/ns/pid /proc/$hpid/ns/uts /proc/$hpid/ns/user)
`;

/**
 * The first id of the host range that root in a lab maps to when course runs as root:
 * 1610612736 (3 × 2^29), 65536 ids, far above the ranges `useradd` hands out (100000 onwards,
 * 65536 per user) and below the ranges systemd keeps for its containers (1879048192 and up).
 */
export const LAB_ROOT_ID_BASE = 1610612736;

/** Ids mapped into a lab as root: enough for every system user (tcpdump drops to its own). */
export const LAB_ID_COUNT = 65536;

/**
 * Starts a lab's holder (run by sh on the lab machine, as the user course runs as). Arguments:
 * 1 the holder script (INIT_SCRIPT), then INIT_SCRIPT's arguments. The holder always gets a
 * user namespace (INIT_SCRIPT's argument 8 says which ids it maps): as root, root in the lab is
 * an unprivileged id range on the host (`map:BASE`), so its capabilities cover only the lab's
 * own namespaces. newuidmap would want root to have subordinate ids, so root writes the maps
 * itself, from outside: the holder says `unshared PID` once it is in the namespace and waits on
 * a fifo (`ID.go`) until they are written. No polling: on a busy machine a waiting loop takes
 * the CPU from the very process it waits for.
 *
 * The launcher then waits for the lab to end and, for an ephemeral lab, removes its record (the
 * holder cannot: it no longer sees the host); a persistent lab without maps to write needs no
 * launcher (DESTROY_SCRIPT removes its record).
 */
export const LAUNCH_SCRIPT = String.raw`
h=$1
shift
exec 3<&0 </dev/null
case $8 in
  map:*)
    userns="--user --keep-caps"
    go=$1/$2.go
    [ -d "$1" ] || mkdir -p -m 700 "$1" || { printf 'error cannot make %s\n' "$1"; exit 1; }
    [ -p "$go" ] || mkfifo -m 600 "$go" || { printf 'error cannot make %s\n' "$go"; exit 1; }
    # A user namespace cannot load kernel modules: load what the course needs from here.
    for mod in bridge veth nf_nat; do
      [ -d "/sys/module/$mod" ] || { modprobe -a -q bridge veth nf_nat iptable_nat nft_chain_nat 2>/dev/null; break; }
    done ;;
  auto) userns="--user --map-auto --map-root-user" go= ;;
  *) userns="--user --map-root-user" go= ;;
esac
if [ -n "$go" ]; then
  m="0 ${D}8#map:} ${LAB_ID_COUNT}"
  # The holder's stdout is this pipe until its ids are mapped, then fd 4 (this launcher's
  # stdout): the relay ends as soon as it has written the maps.
  exec 4>&1
  unshare $userns --net --mount --pid --uts --fork --kill-child -- sh -c "$h" course-lab "$@" "$h" <&3 3<&- |
    while IFS= read -r l; do
      case $l in
        "unshared "*)
          p=${D}l#unshared }
          if { printf '%s\n' "$m" >"/proc/$p/uid_map" && printf '%s\n' "$m" >"/proc/$p/gid_map"; } 2>/dev/null; then
            printf 'go\n' >"$go"
            break
          fi
          printf 'error cannot map the ids %s into the lab\n' "$m"
          kill -KILL "$p" 2>/dev/null ;;
        *) printf '%s\n' "$l" ;;
      esac
    done
  rm -f -- "$go"
elif [ "$4" = 1 ]; then
  exec unshare $userns --net --mount --pid --uts --fork --kill-child -- sh -c "$h" course-lab "$@" "$h" <&3 3<&-
else
  unshare $userns --net --mount --pid --uts --fork --kill-child -- sh -c "$h" course-lab "$@" "$h" <&3 3<&-
fi
[ "$4" = 1 ] || rm -f -- "$1/$2.lab"
`;

/**
 * PID 1 of a lab's PID namespace (run by sh under `unshare`, in the lab's user namespace).
 * Arguments: 1 labs dir, 2 lab id, 3 hostname, 4 persistent (1|0), 5 mode (root|user), 6 label,
 * 7 key, 8 id map (map:BASE|auto|one), 9 size of each tmpfs (e.g. 64m), 10 process limit,
 * 11 this script.
 *
 * It writes the lab's record (`ID.lab`) while it still sees the host's files as the user course
 * runs as. As root it then waits for its id map, becomes root *of the lab* (setpriv: host id
 * BASE, no supplementary groups) and runs itself again ($0 = course-lab-world[-named]).
 *
 * Then it builds the lab's own root on a tmpfs and pivots into it, so nothing of the host's
 * mounts, /proc or /dev is left to reach (not even by `umount`): each of the host's usual
 * top-level directories (/usr, /etc, /var, /opt, /srv, /home, /root; /bin, /lib… as they are,
 * directories or links) is an overlay (host files below, the lab's writes on the tmpfs above, gone with the
 * lab), or a read-only bind when host filesystems are mounted below it (an overlay cannot show
 * them); a private /dev with the usual character devices (and the host's /dev/pts, so the
 * terminal a shell runs on keeps its name: `tty`, `ssh -t`); a fresh /proc, /sys, /run (and
 * /run/netns for `ip netns add`), /tmp and /dev/shm, each a tmpfs of its own size; and
 * /etc/resolv.conf pointing at loopback. The lab's sysfs is mounted twice (also at /run/.sysfs):
 * `ip netns exec` unmounts /sys and mounts the namespace's own, which a user namespace may only
 * do while another sysfs stays fully visible. All mounts are one `mount -a` of an fstab written there
 * (each process started costs ~1-2 ms). The lab's network settings start at the kernel's
 * defaults, whatever the host has set (a new network namespace copies the host's).
 *
 * Then it prints `ready PID` and waits: a persistent lab until killed, an ephemeral one until its
 * creator's pipe (fd 0) ends, which also happens on `kill -9`. While it waits, `wait` reaps
 * every orphan the lab's processes leave behind.
 */
export const INIT_SCRIPT = String.raw`
fail() { printf 'error %s\n' "$*"; exit 1; }
if [ "${D}0#course-lab-world}" = "$0" ]; then
cd "$1" 2>/dev/null || { mkdir -p -m 700 "$1" && cd "$1"; } || fail "cannot use the lab records directory $1"
read -r hpid _ _ hppid _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ hstart _ </proc/self/stat
${HOLDER_IDENTITY}
# As root, the holder becomes root of the lab (host id BASE) before it runs anything else.
case $8 in map:*) huid=${D}8#map:} ;; esac
# Private (0600), and never through a file that is already there (noclobber: O_EXCL).
umask 077
set -C
printf 'pid=%s\nppid=%s\nstart=%s\nuid=%s\nns=%s\npersistent=%s\nmode=%s\nhostname=%s\nlabel=%s\nkey=%s\n' \
  "$hpid" "$hppid" "$hstart" "$huid" "$hns" "$4" "$5" "$3" "$6" "$7" >"$2.lab" || fail "cannot write $1/$2.lab"
set +C
umask 022
cd /
case $8 in
  map:*)
    # Still host uid 0 (with capabilities in the lab's namespaces only): the one moment the
    # hostname can be set without starting hostname(1).
    w=course-lab-world
    { printf '%s\n' "$3" >/proc/sys/kernel/hostname; } 2>/dev/null && w=course-lab-world-named
    printf 'unshared %s\n' "$hpid"
    read -r _ <"$1/$2.go" || fail "got no id map"
    exec >&4 4>&-
    exec setpriv --reuid=0 --regid=0 --clear-groups -- sh -c "${D}11}" "$w" "$@" ;;
esac
fi
cd /
read -r hpid _ </proc/self/stat
ulimit -p "${D}10}" || fail "cannot limit the lab to ${D}10} processes"
mount -t tmpfs -o "mode=0755,size=$9" course-lab /tmp || fail "cannot mount the lab's tmpfs"
# Which top-level directories have host filesystems mounted below them (no overlay for them).
nested=
while read -r _ _ _ _ mp _; do
  case $mp in /*/*) t=${D}mp#/}; nested="$nested ${D}t%%/*} " ;; esac
done </proc/self/mountinfo
dirs= links= fstab='/tmp/r /tmp/r none bind 0 0'
for n in bin sbin lib lib32 lib64 libx32 usr etc var opt srv home root; do
  e=/$n
  if [ -L "$e" ]; then
    links="$links $e"
  elif [ -d "$e" ]; then
    case $nested in
      *" $n "*) fstab="$fstab
$e /tmp/r$e none rbind,ro,X-mount.mkdir 0 0" ;;
      *) dirs="$dirs /tmp/u/$n /tmp/w/$n"
         fstab="$fstab
course-$n /tmp/r$e overlay lowerdir=$e,upperdir=/tmp/u/$n,workdir=/tmp/w/$n,X-mount.mkdir 0 0" ;;
    esac
  fi
done
mkdir /tmp/u /tmp/w /tmp/r /tmp/r/dev $dirs || fail "cannot make the lab's directories"
cp -P --parents $links /dev/fd /dev/stdin /dev/stdout /dev/stderr /tmp/r || fail "cannot copy the host's symbolic links"
for d in null zero full random urandom tty ptmx; do
  : >"/tmp/r/dev/$d" || fail "cannot make /dev/$d"
  fstab="$fstab
/dev/$d /tmp/r/dev/$d none bind 0 0"
done
resolv=/etc/resolv.conf
if [ -L $resolv ]; then
  resolv=$(readlink -m $resolv)
elif [ -e $resolv ]; then
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >/tmp/resolv.conf
  fstab="$fstab
/tmp/resolv.conf /tmp/r/etc/resolv.conf none bind 0 0"
fi
printf '%s\n' "$fstab" \
  '/dev/pts /tmp/r/dev/pts none bind,nosuid,noexec,X-mount.mkdir 0 0' \
  'course-shm /tmp/r/dev/shm tmpfs mode=1777,size='"$9"',nosuid,nodev,X-mount.mkdir 0 0' \
  'course-proc /tmp/r/proc proc nosuid,nodev,noexec,X-mount.mkdir 0 0' \
  'course-sys /tmp/r/sys sysfs nosuid,nodev,noexec,X-mount.mkdir 0 0' \
  'course-run /tmp/r/run tmpfs mode=0755,size='"$9"',nosuid,nodev,X-mount.mkdir 0 0' \
  'course-netns /tmp/r/run/netns tmpfs mode=0755,size=1m,X-mount.mkdir 0 0' \
  'course-sys /tmp/r/run/.sysfs sysfs ro,nosuid,nodev,noexec,X-mount.mkdir 0 0' \
  'course-tmp /tmp/r/tmp tmpfs mode=1777,size='"$9"',nosuid,nodev,X-mount.mkdir 0 0' \
  >/tmp/fstab
mount -a -T /tmp/fstab || fail "cannot mount the lab's own root, /dev, /proc, /sys, /run and /tmp"
cd /tmp/r && pivot_root . . && umount -l . && cd / || fail "cannot switch to the lab's own root"
case $resolv in
  /run/*) mkdir -p "${D}resolv%/*}" && printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$resolv" ;;
esac
[ "$0" = course-lab-world-named ] || hostname "$3" || fail "cannot set the lab's hostname"
# Kernel defaults for the lab's network (a new network namespace copies the host's IPv4/IPv6
# settings, e.g. ip_forward=1 on a Docker or libvirt host).
persistent=$4
set -- /proc/sys/net/ipv4/ip_forward 0
for c in all default lo; do
  for k in rp_filter:0 accept_redirects:1 secure_redirects:1 send_redirects:1 proxy_arp:0 \
    arp_ignore:0 arp_announce:0 arp_filter:0 log_martians:0 promote_secondaries:0 accept_local:0 \
    route_localnet:0; do
    set -- "$@" "/proc/sys/net/ipv4/conf/$c/${D}k%:*}" "${D}k#*:}"
  done
  set -- "$@" "/proc/sys/net/ipv6/conf/$c/forwarding" 0 "/proc/sys/net/ipv6/conf/$c/accept_ra" 1 \
    "/proc/sys/net/ipv6/conf/$c/disable_ipv6" 0
done
while [ $# -gt 1 ]; do
  { printf '%s\n' "$2" >"$1"; } 2>/dev/null
  shift 2
done
ip link set lo up || fail "cannot bring lo up in the lab"
printf 'ready %s\n' "$hpid"
if [ "$persistent" = 1 ]; then
  exec </dev/null >/dev/null 2>&1
  while :; do sleep 2147483647 & wait $!; done
fi
exec 3<&0 </dev/null >/dev/null 2>&1
cat <&3 >/dev/null &
wait $!
`;

/**
 * Shell functions shared by the scripts below. `trusted FILE` is the only way a record is
 * believed (and its `pid` set): the record is a regular file (not a symlink) of ours that
 * nobody else may write; its holder is alive (same start time), still the child of the
 * `unshare` that made it, which is ours (the holder itself may run as a subordinate id of
 * ours), runs as the host uid the record names, and still has the namespaces it recorded. The runtime dir is private already
 * (ensurePrivateDir); this holds even if a record got there some other way, or a PID was reused.
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
  pid= start= uid= ns= ppid= rstart=
  [ -f "$1" ] && [ ! -L "$1" ] && [ -O "$1" ] || return 1
  while IFS='=' read -r k v; do
    case $k in pid) pid=$v ;; ppid) ppid=$v ;; start) rstart=$v ;; uid) uid=$v ;; ns) ns=$v ;; esac
  done <"$1"
  case $pid$ppid$uid in '' | *[!0-9]*) return 1 ;; esac
  alive "$pid" "$rstart" && [ "$pp" = "$ppid" ] || return 1
  # Its parent is still the unshare that made it, and that is ours.
  [ -O "/proc/$ppid" ] && read -r c <"/proc/$ppid/comm" && [ "$c" = unshare ] || return 1
  while read -r k u _; do [ "$k" = Uid: ] && break; done <"/proc/$pid/status"
  [ "$u" = "$uid" ] || return 1
  set -- $(stat -L -c '%a %i' -- "$1" /proc/$pid/ns/net /proc/$pid/ns/mnt /proc/$pid/ns/pid /proc/$pid/ns/uts /proc/$pid/ns/user 2>/dev/null)
  [ $# -eq 12 ] && [ $((0$1 & 022)) -eq 0 ] || return 1
  [ "$4 $6 $8 ${D}10} ${D}12} " = "$ns" ]
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
  if trusted "$id.lab"; then
    kill -KILL "$pid" 2>/dev/null
    # The holder is gone within milliseconds: poll without starting processes first.
    n=0
    while [ -e "/proc/$pid" ] && [ $n -lt 3000 ]; do
      n=$((n + 1))
      [ $n -lt 1000 ] || sleep 0.005
    done
  fi
  rm -f -- "$id.lab" "$id.fstab" "$id.lock"
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
    rm -f -- "$f" "$id.fstab" "$id.lock"
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
