/**
 * The lab-side half of the sandbox: small POSIX shell scripts run through a Transport, so the
 * very same sandbox works here and on a remote Linux machine (ssh). Everything a lab needs to
 * be found again (its record) lives on the lab machine, under the runtime directory.
 */

/**
 * PID 1 of a lab's PID namespace (run by dash under `unshare`). Arguments:
 * 1 labs dir, 2 lab id, 3 hostname, 4 persistent (1|0), 5 mode (root|user), 6 label, 7 key.
 *
 * It writes the lab's record before it hides /run and /tmp (the records may live there), then
 * builds the lab's private world, prints `ready PID`, and waits: a persistent lab until killed,
 * an ephemeral one until its creator's pipe (fd 0) ends, which also happens on `kill -9`.
 * While it waits, `wait` reaps every orphan the lab's processes leave behind.
 */
export const INIT_SCRIPT = String.raw`
fail() { printf 'error %s\n' "$*"; exit 1; }
mkdir -p "$1" 2>/dev/null; cd "$1" || fail "cannot enter the lab records directory $1"
read -r hpid _ _ hppid _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ hstart _ </proc/self/stat
mkdir -p "$2" || fail "cannot create the lab record $1/$2"
printf 'pid=%s\nppid=%s\nstart=%s\npersistent=%s\nmode=%s\nhostname=%s\nlabel=%s\nkey=%s\n' \
  "$hpid" "$hppid" "$hstart" "$4" "$5" "$3" "$6" "$7" >"$2/record" || fail "cannot write $1/$2/record"
resolv=/etc/resolv.conf
[ -L "$resolv" ] && resolv=$(readlink -m "$resolv")
mount -t tmpfs -o mode=0755 course-run /run || fail "cannot mount a private /run"
mkdir -p /run/netns /run/course-lab || fail "cannot create /run/netns in the lab"
mount -t proc proc /proc || printf 'warning cannot mount a private /proc: ps shows the host processes\n'
mount -t sysfs sysfs /sys 2>/dev/null || printf 'warning cannot mount a private /sys\n'
mount -t tmpfs -o mode=1777 course-tmp /tmp || fail "cannot mount a private /tmp"
hostname "$3" || fail "cannot set the lab hostname"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >/run/course-lab/resolv.conf
case $resolv in
  /run/*) mkdir -p "$(dirname "$resolv")" && cp /run/course-lab/resolv.conf "$resolv" ;;
  *) [ ! -e "$resolv" ] || mount --bind /run/course-lab/resolv.conf "$resolv" || fail "cannot replace $resolv" ;;
esac
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n127.0.1.1 %s\n' "$3" >/run/course-lab/hosts
[ ! -e /etc/hosts ] || mount --bind /run/course-lab/hosts /etc/hosts || fail "cannot replace /etc/hosts"
ip link set lo up || fail "cannot bring lo up"
printf 'ready %s\n' "$hpid"
if [ "$4" = 1 ]; then
  exec </dev/null >/dev/null 2>&1
  while :; do sleep 2147483647 & wait $!; done
fi
exec 3<&0 </dev/null >/dev/null 2>&1
cat <&3 >/dev/null &
wait $!
rm -rf -- "./$2"
`;

/** Shell functions shared by the scripts below: `alive PID START` and `readrecord DIR`. */
const RECORD_FUNCTIONS = String.raw`
alive() {
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
  read -r _ _ st _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ start _ <"/proc/$1/stat" || return 1
  [ "$st" != Z ] && [ "$start" = "$2" ]
}
readrecord() {
  pid= start=
  [ -r "$1/record" ] || return 1
  while IFS='=' read -r k v; do
    case $k in pid) pid=$v ;; start) start=$v ;; esac
  done <"$1/record"
}
`;

/**
 * Open (or find) a persistent lab. Arguments: 1 labs dir, 2 lab id, then the holder's argv.
 * Prints `existing` and the record when the lab is alive, else starts the holder detached
 * and prints what it prints up to `ready PID`. A lock keeps two CLI runs from racing.
 */
export const OPEN_PERSISTENT_SCRIPT = String.raw`
${RECORD_FUNCTIONS}
labs=$1 id=$2
shift 2
mkdir -p "$labs" || exit 1
chmod 700 "$labs" 2>/dev/null
exec 8>"$labs/$id.lock"
flock 8 || exit 1
d=$labs/$id
if readrecord "$d" && alive "$pid" "$start"; then
  printf 'existing\n'
  while IFS= read -r l; do printf '%s\n' "$l"; done <"$d/record"
  exit 0
fi
rm -rf -- "$d"
f=$labs/$id.fifo
rm -f -- "$f"
mkfifo -m 600 "$f" || exit 1
"$@" >"$f" 2>&1 </dev/null 8>&- &
exec 9<"$f"
rm -f -- "$f"
while IFS= read -r l <&9; do
  printf '%s\n' "$l"
  case $l in ready*) exit 0 ;; esac
done
exit 1
`;

/**
 * Destroy labs by id. Arguments: 1 labs dir, then ids. Kills each holder (PID 1 of the lab, so
 * the kernel ends every process of the lab) and waits until it is gone, then removes the record.
 */
export const DESTROY_SCRIPT = String.raw`
${RECORD_FUNCTIONS}
labs=$1
shift
for id in "$@"; do
  d=$labs/$id
  if readrecord "$d" && alive "$pid" "$start"; then
    kill -KILL "$pid" 2>/dev/null
    n=0
    while [ -e "/proc/$pid" ] && [ $n -lt 2000 ]; do n=$((n + 1)); sleep 0.005; done
  fi
  rm -rf -- "$d" "$labs/$id.lock"
done
`;

/**
 * List labs: for each record prints `lab ID alive|dead` then its record lines then `end`.
 * Records whose holder is gone are removed.
 */
export const LIST_SCRIPT = String.raw`
${RECORD_FUNCTIONS}
labs=$1
cd "$labs" 2>/dev/null || exit 0
for id in *; do
  [ -d "$id" ] || continue
  d=$labs/$id
  if readrecord "$d" && alive "$pid" "$start"; then
    printf 'lab %s alive\n' "$id"
    while IFS= read -r l; do printf '%s\n' "$l"; done <"$d/record"
    printf 'end\n'
  else
    printf 'lab %s dead\nend\n' "$id"
    rm -rf -- "$d" "$d.lock"
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
