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
 * PID 1 of a lab's PID namespace (run by sh under `unshare`). Arguments:
 * 1 labs dir, 2 lab id, 3 hostname, 4 persistent (1|0), 5 mode (root|user), 6 label, 7 key.
 *
 * It writes the lab's record (`ID.lab`) while it still sees the host's /run and /tmp (the
 * records may live there), then builds the lab's private world with one `mount -a` of a small
 * fstab (each process started costs ~1-2 ms, so fewer is faster): a tmpfs on /run (so nothing
 * under the host's /run, e.g. /run/netns, is ever touched), a tmpfs on /run/netns for
 * `ip netns add`, a fresh /proc and /sys, a private /tmp, and /etc/resolv.conf pointing at
 * loopback. Then it prints `ready PID` and waits: a persistent lab until killed, an ephemeral
 * one until its creator's pipe (fd 0) ends, which also happens on `kill -9`. While it waits,
 * `wait` reaps every orphan the lab's processes leave behind.
 */
export const INIT_SCRIPT = String.raw`
fail() { printf 'error %s\n' "$*"; exit 1; }
cd "$1" 2>/dev/null || { mkdir -p -m 700 "$1" && cd "$1"; } || fail "cannot use the lab records directory $1"
read -r hpid _ _ hppid _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ hstart _ </proc/self/stat
${HOLDER_IDENTITY}
# Private (0600), and never through a file that is already there (noclobber: O_EXCL).
umask 077
set -C
printf 'pid=%s\nppid=%s\nstart=%s\nuid=%s\nns=%s\npersistent=%s\nmode=%s\nhostname=%s\nlabel=%s\nkey=%s\n' \
  "$hpid" "$hppid" "$hstart" "$huid" "$hns" "$4" "$5" "$3" "$6" "$7" >"$2.lab" || fail "cannot write $1/$2.lab"
set +C
umask 022
[ -s .resolv.conf ] || printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >.resolv.conf
resolv=/etc/resolv.conf
[ -L "$resolv" ] && resolv=$(readlink -m "$resolv")
bind=
case $resolv in
  /run/*) ;;
  *)
    if [ -e "$resolv" ]; then
      case "$1$resolv" in
        *[[:space:]]*) mount --bind "$1/.resolv.conf" "$resolv" || fail "cannot replace $resolv" ;;
        *) bind="$1/.resolv.conf $resolv none bind 0 0" ;;
      esac
    fi ;;
esac
printf '%s\n' "$bind" \
  'course-run /run tmpfs mode=0755 0 0' \
  'course-netns /run/netns tmpfs mode=0755,X-mount.mkdir 0 0' \
  'course-proc /proc proc nosuid,nodev,noexec 0 0' \
  'course-sys /sys sysfs nosuid,nodev,noexec 0 0' \
  'course-tmp /tmp tmpfs mode=1777 0 0' >"$2.fstab"
mount -a -T "$2.fstab" || fail "cannot mount the lab's private /run, /proc, /sys and /tmp"
case $resolv in
  /run/*) mkdir -p "${D}resolv%/*}" && cp .resolv.conf "$resolv" ;;
esac
{ printf '%s\n' "$3" >/proc/sys/kernel/hostname; } 2>/dev/null || hostname "$3" || fail "cannot set the lab's hostname"
ip link set lo up || fail "cannot bring lo up in the lab"
printf 'ready %s\n' "$hpid"
if [ "$4" = 1 ]; then
  exec </dev/null >/dev/null 2>&1
  while :; do sleep 2147483647 & wait $!; done
fi
exec 3<&0 </dev/null >/dev/null 2>&1
cat <&3 >/dev/null &
wait $!
rm -f -- "$2.lab" "$2.fstab"
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
