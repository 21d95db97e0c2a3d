#!/usr/bin/env bash
# Builds kiwi's Debian package and proves it on this machine: installs it with dpkg, checks
# the files, the user and the systemd unit (systemd-analyze verify and security), starts kiwi
# as the user kiwi with the packaged settings file exactly as the unit would (systemd need not
# be running: setpriv drops to the user), waits until /readyz answers 200 with every check
# ok, stops it, and purges the package, checking that the user, the settings and the data are
# gone. Every step prints its time; any failure stops the script with a message.
#
#   packaging/check-deb.sh [--keep]     (as root; --keep leaves the temporary directory)
#
# Environment: CARGO_TARGET_DIR (the release build is reused from there when it is current).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
KEEP=0
for arg in "$@"; do
    case "$arg" in
        --keep) KEEP=1 ;;
        -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $arg (see --help)" >&2; exit 2 ;;
    esac
done

fail() {
    echo "check-deb: FAILED: $*" >&2
    exit 1
}
STARTED=$(date +%s.%N)
STEP_STARTED=$STARTED
STEP_NAME=""
# Prints how long the previous step took, then the name of the next one.
step() {
    local now
    now=$(date +%s.%N)
    if [ -n "$STEP_NAME" ]; then
        printf '   (%s: %.1f s)\n' "$STEP_NAME" "$(echo "$now - $STEP_STARTED" | bc)"
    fi
    STEP_NAME=$1
    STEP_STARTED=$now
    printf -- '-- %s\n' "$1"
}

[ "$(id -u)" -eq 0 ] || fail "run this as root: it installs and purges a Debian package"
cd "$REPO"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step "tools"
missing=()
command -v bc >/dev/null || missing+=(bc)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
command -v setpriv >/dev/null || missing+=(util-linux)
command -v adduser >/dev/null || missing+=(adduser)
# systemd-analyze comes with the systemd package; it verifies the unit without systemd running.
command -v systemd-analyze >/dev/null || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
        fail "apt-get install ${missing[*]}"
fi
if ! cargo deb --version >/dev/null 2>&1; then
    echo "installing cargo-deb (cargo install --locked cargo-deb)"
    cargo install --locked --quiet cargo-deb || fail "cargo install cargo-deb"
fi
echo "$(cargo deb --version 2>&1 | head -n 1), $(dpkg-deb --version | head -n 1)"

step "release build"
cargo build --release --locked --quiet --bin kiwi || fail "cargo build --release"

step "cargo deb"
OUT=$(mktemp -d -t kiwi-deb.XXXXXX)
KIWI_PID=""
INSTALLED=0
cleanup() {
    if [ -n "$KIWI_PID" ] && kill -0 "$KIWI_PID" 2>/dev/null; then
        kill "$KIWI_PID" 2>/dev/null || true
        wait "$KIWI_PID" 2>/dev/null || true
    fi
    # A check that failed half-way leaves no package behind (with --keep it stays installed).
    if [ "$INSTALLED" = 1 ] && [ "$KEEP" = 0 ] && dpkg-query -W kiwi >/dev/null 2>&1; then
        dpkg --purge kiwi >/dev/null 2>&1 || echo "check-deb: could not purge kiwi" >&2
    fi
    if [ "$KEEP" = 1 ]; then echo "kept $OUT"; else rm -rf "$OUT"; fi
}
trap cleanup EXIT
chmod 755 "$OUT"
# --fast: quicker compression; the contents are the same as without it.
cargo deb --no-build --fast --quiet --output "$OUT" >"$OUT/cargo-deb.log" 2>&1 ||
    { cat "$OUT/cargo-deb.log" >&2; fail "cargo deb"; }
DEB=$(find "$OUT" -maxdepth 1 -name 'kiwi_*.deb' | head -n 1)
[ -n "$DEB" ] || fail "cargo deb wrote no kiwi_*.deb into $OUT"
echo "$(basename "$DEB"): $(du -k "$DEB" | cut -f1) KiB"
dpkg-deb --info "$DEB" | sed -n 's/^ \(Package\|Version\|Architecture\|Depends\|Installed-Size\):/  \1:/p'
dpkg-deb --contents "$DEB" >"$OUT/contents.txt"
for path in ./usr/bin/kiwi ./usr/share/kiwi/courses/ ./usr/share/kiwi/policies/ai-usage/de.md \
    ./usr/share/kiwi/tools.toml ./usr/share/kiwi/contacts.toml ./etc/kiwi/kiwi.env \
    ./usr/lib/systemd/system/kiwi.service ./usr/share/doc/kiwi/copyright; do
    grep -q " $path\( \|$\)" "$OUT/contents.txt" || fail "the package lacks $path"
done
dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles | grep -qx /etc/kiwi/kiwi.env ||
    fail "/etc/kiwi/kiwi.env is not a conffile"
echo "contents and conffiles as expected ($(grep -c . "$OUT/contents.txt") entries)"

step "dpkg -i"
if dpkg-query -W -f='${Status}' kiwi 2>/dev/null | grep -q 'install\|config-files'; then
    echo "a kiwi package from an earlier run is installed: purging it first"
    dpkg --purge kiwi >/dev/null || fail "dpkg --purge of the earlier kiwi package"
fi
getent passwd kiwi >/dev/null && fail "a user kiwi exists before the install: this check would remove it, remove it yourself first"
dpkg -i "$DEB" >"$OUT/dpkg-install.log" 2>&1 || { cat "$OUT/dpkg-install.log" >&2; fail "dpkg -i"; }
INSTALLED=1
getent passwd kiwi >/dev/null || fail "postinst created no user kiwi"
shell=$(getent passwd kiwi | cut -d: -f7)
uid=$(id -u kiwi)
[ "$uid" -lt 1000 ] || fail "kiwi is not a system user (uid $uid)"
case "$shell" in */nologin | */false) ;; *) fail "the user kiwi has the login shell $shell" ;; esac
[ "$(stat -c %U:%a /var/lib/kiwi)" = kiwi:750 ] ||
    fail "/var/lib/kiwi is $(stat -c %U:%a /var/lib/kiwi), expected kiwi:750"
[ "$(stat -c %U:%a /etc/kiwi/kiwi.env)" = root:600 ] ||
    fail "/etc/kiwi/kiwi.env is $(stat -c %U:%a /etc/kiwi/kiwi.env), expected root:600"
/usr/bin/kiwi --version || fail "/usr/bin/kiwi --version"
echo "user kiwi (uid $uid, shell $shell), /var/lib/kiwi kiwi:750, /etc/kiwi/kiwi.env root:600"

step "systemd unit"
UNIT=/usr/lib/systemd/system/kiwi.service
[ -f "$UNIT" ] || fail "no $UNIT"
for directive in 'User=kiwi' 'ProtectSystem=strict' 'StateDirectory=kiwi' 'NoNewPrivileges=yes' \
    'PrivateTmp=yes' 'ProtectHome=yes' 'CapabilityBoundingSet=' 'RestrictAddressFamilies=' \
    'SystemCallFilter=@system-service' 'Restart=on-failure' 'EnvironmentFile=/etc/kiwi/kiwi.env'; do
    grep -q "^$directive" "$UNIT" || fail "the unit lacks $directive"
done
if systemd-analyze --version >/dev/null 2>&1; then
    # verify loads the unit as systemd would and checks its directives and ExecStart.
    if ! systemd-analyze verify "$UNIT" >"$OUT/verify.log" 2>&1; then
        cat "$OUT/verify.log" >&2
        fail "systemd-analyze verify $UNIT"
    fi
    if [ -s "$OUT/verify.log" ]; then
        echo "systemd-analyze verify passed, with these remarks:"
        sed 's/^/  /' "$OUT/verify.log"
    else
        echo "systemd-analyze verify: no remarks"
    fi
    if systemd-analyze security --offline=yes "$UNIT" >"$OUT/security.log" 2>&1; then
        echo "systemd-analyze security: $(grep -o 'Overall exposure level.*' "$OUT/security.log")"
    else
        echo "systemd-analyze security --offline is not available here ($(head -n 1 "$OUT/security.log"))"
    fi
else
    echo "systemd-analyze is not available here: the unit is NOT verified by systemd"
fi
if [ -d /run/systemd/system ]; then
    echo "systemd runs here, but this check starts kiwi itself (the unit is neither enabled nor started)"
else
    echo "systemd is not PID 1 here: kiwi is started below as the unit would start it"
fi

step "kiwi serve as the user kiwi with /etc/kiwi/kiwi.env"
# The settings file as systemd reads it: KEY=value lines, comments and blank lines skipped,
# one pair of surrounding quotes removed.
settings=()
while IFS= read -r line || [ -n "$line" ]; do
    line=${line#"${line%%[![:space:]]*}"}
    case "$line" in '' | '#'* | ';'*) continue ;; esac
    [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || fail "kiwi.env: a line systemd would not read: $line"
    key=${line%%=*}
    value=${line#*=}
    value=${value%"${value##*[![:space:]]}"}
    if [[ "$value" =~ ^\"(.*)\"$ ]] || [[ "$value" =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
    settings+=("$key=$value")
done </etc/kiwi/kiwi.env
printf '  %s\n' "${settings[@]}"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# As the unit: user and group kiwi, no capabilities, no new privileges, working directory
# /var/lib/kiwi (no content there: the paths in kiwi.env must be right), only the settings
# file's environment, plus the port.
(
    cd /var/lib/kiwi
    exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${settings[@]}" KIWI_BIND="127.0.0.1:$PORT" \
        setpriv --reuid=kiwi --regid=kiwi --init-groups --no-new-privs \
        --inh-caps=-all --bounding-set=-all -- /usr/bin/kiwi serve
) >"$OUT/kiwi.log" 2>&1 &
KIWI_PID=$!
ready=""
for _ in $(seq 1 300); do
    kill -0 "$KIWI_PID" 2>/dev/null || { cat "$OUT/kiwi.log" >&2; fail "kiwi ended before it was ready"; }
    code=$(curl -s -o "$OUT/readyz.json" -w '%{http_code}' --max-time 3 "http://127.0.0.1:$PORT/readyz" || true)
    if [ "$code" = 200 ]; then ready=1; break; fi
    sleep 0.1
done
[ -n "$ready" ] || { cat "$OUT/kiwi.log" "$OUT/readyz.json" >&2; fail "/readyz did not answer 200 within 30 s"; }
python3 - "$OUT/readyz.json" <<'PY' || fail "/readyz answered 200 but not every check is ok"
import json, sys
answer = json.load(open(sys.argv[1]))
checks = answer["checks"]
assert answer["ready"] is True and checks and all(c["ok"] for c in checks), answer
print("/readyz 200: " + ", ".join(f"{c['name']} ok" for c in checks))
PY
owner=$(stat -c %U /proc/"$KIWI_PID")
[ "$owner" = kiwi ] || fail "kiwi runs as $owner, not kiwi"
[ -f /var/lib/kiwi/kiwi.sqlite ] || fail "no database in /var/lib/kiwi"
[ "$(stat -c %U /var/lib/kiwi/kiwi.sqlite)" = kiwi ] || fail "the database is not the kiwi user's"
echo "kiwi (pid $KIWI_PID) runs as $owner; database /var/lib/kiwi/kiwi.sqlite"
# The health check command of the container image, against the same server.
env -i "${settings[@]}" KIWI_BIND="127.0.0.1:$PORT" setpriv --reuid=kiwi --regid=kiwi --init-groups \
    /usr/bin/kiwi healthcheck >"$OUT/healthcheck.log" 2>&1 ||
    { cat "$OUT/healthcheck.log" >&2; fail "kiwi healthcheck did not report ready"; }
echo "kiwi healthcheck: exit 0"

step "stop kiwi"
kill -TERM "$KIWI_PID"
for _ in $(seq 1 100); do kill -0 "$KIWI_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$KIWI_PID" 2>/dev/null && fail "kiwi did not stop within 10 s of SIGTERM"
status=0
wait "$KIWI_PID" || status=$?
KIWI_PID=""
[ "$status" = 0 ] || { tail -n 20 "$OUT/kiwi.log" >&2; fail "kiwi ended with status $status on SIGTERM"; }
if grep -q -e ' ERROR ' -e panicked "$OUT/kiwi.log"; then
    grep -e ' ERROR ' -e panicked "$OUT/kiwi.log" | head -n 5 >&2
    fail "kiwi logged errors"
fi
echo "stopped cleanly"

step "dpkg --purge"
dpkg --purge kiwi >"$OUT/dpkg-purge.log" 2>&1 || { cat "$OUT/dpkg-purge.log" >&2; fail "dpkg --purge kiwi"; }
left=()
dpkg-query -W kiwi >/dev/null 2>&1 && left+=("the package is still known to dpkg")
getent passwd kiwi >/dev/null && left+=("the user kiwi")
getent group kiwi >/dev/null && left+=("the group kiwi")
for path in /usr/bin/kiwi /usr/share/kiwi /usr/share/doc/kiwi /etc/kiwi /var/lib/kiwi "$UNIT"; do
    [ -e "$path" ] && left+=("$path")
done
[ ${#left[@]} -eq 0 ] || fail "left after the purge: ${left[*]}"
echo "package, user, group, settings and data are gone"

step "done"
printf 'check-deb: passed in %.1f s\n' "$(echo "$(date +%s.%N) - $STARTED" | bc)"
