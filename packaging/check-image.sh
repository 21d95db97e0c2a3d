#!/usr/bin/env bash
# Builds kiwi's container image (packaging/Containerfile) from the release binary built on
# this machine, and proves it without a container runtime: the image's root file system is
# exported and unpacked into a temporary directory, and kiwi is started from it with chroot,
# as the image's user (uid 10001) with exactly the image's environment (plus a free port),
# the image's entry point and command. The check waits until /readyz answers 200 with every
# check ok, runs the image's HEALTHCHECK command in the same root, and stops kiwi.
#
#   packaging/check-image.sh [--keep]    (as root; --keep leaves the directory and the image)
#
# Why chroot: building works wherever podman does, but running a container needs cgroups and
# resource limits that restricted CI environments refuse. chroot runs the same files with the same
# user and environment; it does not isolate the network or the processes.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
KEEP=0
for arg in "$@"; do
    case "$arg" in
        --keep) KEEP=1 ;;
        -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $arg (see --help)" >&2; exit 2 ;;
    esac
done

fail() {
    echo "check-image: FAILED: $*" >&2
    exit 1
}
STARTED=$(date +%s.%N)
STEP_STARTED=$STARTED
STEP_NAME=""
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

[ "$(id -u)" -eq 0 ] || fail "run this as root (podman's storage, chroot)"
cd "$REPO"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
IMAGE=localhost/kiwi:check

step "tools"
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v bc >/dev/null || missing+=(bc)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
[ -f /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
command -v strip >/dev/null || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
        fail "apt-get install ${missing[*]}"
fi
podman --version

step "release build"
cargo build --release --locked --quiet --bin kiwi || fail "cargo build --release"
BIN=$TARGET_DIR/release/kiwi

step "root file system (packaging/rootfs.sh)"
WORK=$(mktemp -d -t kiwi-image.XXXXXX)
KIWI_PID=""
CONTAINER=""
PODMAN=(podman)
cleanup() {
    if [ -n "$KIWI_PID" ] && kill -0 "$KIWI_PID" 2>/dev/null; then
        kill "$KIWI_PID" 2>/dev/null || true
        wait "$KIWI_PID" 2>/dev/null || true
    fi
    [ -z "$CONTAINER" ] || "${PODMAN[@]}" rm --force "$CONTAINER" >/dev/null 2>&1 || true
    if [ "$KEEP" = 1 ]; then
        echo "kept $WORK (the image $IMAGE is in its storage: ${PODMAN[*]} images)"
    else
        "${PODMAN[@]}" rmi --all --force >/dev/null 2>&1 || true
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
chmod 755 "$WORK"
sh "$HERE/rootfs.sh" "$BIN" "$REPO" "$WORK/rootfs" || fail "packaging/rootfs.sh"
echo "libraries from ldd:"
find "$WORK/rootfs/system" -name '*.so*' -type f | sed "s|^$WORK/rootfs/system|  |" | sort

step "podman build"
# A storage of its own in the temporary directory: the machine's images are left alone, and
# removing the directory removes everything this check built.
PODMAN=(podman --root "$WORK/storage" --runroot "$WORK/run")
# The build context proper stays empty: in this mode the Containerfile copies only from the
# named context.
mkdir "$WORK/context"
build=(build --quiet --format docker --build-arg ROOTFS=prebuilt
    --build-context "prebuilt-rootfs=$WORK/rootfs" -f "$HERE/Containerfile" -t "$IMAGE" "$WORK/context")
if ! "${PODMAN[@]}" "${build[@]}" >"$WORK/build.log" 2>&1; then
    # Some CI environments refuse overlay mounts; the build only copies files, so it needs no
    # isolation and works on the vfs storage driver too.
    echo "podman build failed with the default storage driver ($(tail -n 1 "$WORK/build.log")); trying vfs"
    PODMAN=(podman --root "$WORK/storage-vfs" --runroot "$WORK/run-vfs" --storage-driver=vfs)
    BUILDAH_ISOLATION=chroot "${PODMAN[@]}" "${build[@]}" >"$WORK/build.log" 2>&1 ||
        { cat "$WORK/build.log" >&2; fail "podman build (also with vfs storage and chroot isolation)"; }
fi
echo "storage driver: $("${PODMAN[@]}" info --format '{{.Store.GraphDriverName}}')"
"${PODMAN[@]}" image inspect "$IMAGE" >"$WORK/inspect.json" || fail "podman image inspect"
python3 - "$WORK/inspect.json" "$WORK" <<'PY' || fail "the image's configuration is not as intended"
import json, sys
image = json.load(open(sys.argv[1]))[0]
config = image["Config"]
problems = []
if config.get("User") != "10001:10001":
    problems.append(f"user is {config.get('User')!r}, not 10001:10001")
# podman shows the health check beside the configuration, docker inside it.
health = (image.get("Healthcheck") or config.get("Healthcheck") or {}).get("Test")
if health != ["CMD", "/usr/bin/kiwi", "healthcheck"]:
    problems.append(f"HEALTHCHECK is {health!r}")
env = dict(e.split("=", 1) for e in config.get("Env", []))
for key in ["KIWI_BIND", "KIWI_DATA_DIR", "KIWI_COURSES_DIR", "KIWI_POLICY_DIR",
            "KIWI_TOOLS_FILE", "KIWI_CONTACTS"]:
    if key not in env:
        problems.append(f"no {key} in the environment")
if problems:
    sys.exit("; ".join(problems))
# What the run below uses: the environment, the entry point and command, the health check.
with open(sys.argv[2] + "/env", "w") as f:
    f.write("\n".join(config.get("Env", [])) + "\n")
with open(sys.argv[2] + "/command", "w") as f:
    f.write("\n".join((config.get("Entrypoint") or []) + (config.get("Cmd") or [])) + "\n")
with open(sys.argv[2] + "/health", "w") as f:
    f.write("\n".join(health[1:]) + "\n")
print(f"image {image['Id'][:12]}: {image['Size'] / 1e6:.1f} MB, user {config['User']}, "
      f"entry point {config.get('Entrypoint')} {config.get('Cmd')}, "
      f"health check {health[1:]}, {len(image['RootFS']['Layers'])} layers")
PY

step "export the root file system"
CONTAINER=$("${PODMAN[@]}" create --no-healthcheck "$IMAGE") ||
    fail "podman create (only creates, runs nothing)"
mkdir "$WORK/root"
"${PODMAN[@]}" export "$CONTAINER" | tar -x -C "$WORK/root" --same-owner --numeric-owner ||
    fail "podman export | tar -x"
"${PODMAN[@]}" rm "$CONTAINER" >/dev/null && CONTAINER=""
ROOT=$WORK/root
for shell in bin/sh bin/bash usr/bin/sh usr/bin/bash bin/busybox; do
    [ ! -e "$ROOT/$shell" ] || fail "the image has a shell: /$shell"
done
[ "$(stat -c %u:%g "$ROOT/var/lib/kiwi")" = 10001:10001 ] ||
    fail "/var/lib/kiwi in the image belongs to $(stat -c %u:%g "$ROOT/var/lib/kiwi"), not 10001"
echo "$(find "$ROOT" -type f | wc -l) files, $(du -sm "$ROOT" | cut -f1) MiB, no shell; /var/lib/kiwi belongs to 10001"

step "kiwi from the image's root, chroot as uid 10001"
mapfile -t IMAGE_ENV <"$WORK/env"
mapfile -t COMMAND <"$WORK/command"
mapfile -t HEALTH <"$WORK/health"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run_in_image() { # command and arguments, run in the image's root as its user, in the foreground
    env -i "${IMAGE_ENV[@]}" KIWI_BIND="127.0.0.1:$PORT" \
        chroot --userspec=10001:10001 --groups=10001 "$ROOT" "$@"
}
echo "running: ${COMMAND[*]} (environment: ${IMAGE_ENV[*]} KIWI_BIND=127.0.0.1:$PORT)"
# exec: the background job is kiwi itself, so its pid is kiwi's and SIGTERM reaches it.
(exec env -i "${IMAGE_ENV[@]}" KIWI_BIND="127.0.0.1:$PORT" \
    chroot --userspec=10001:10001 --groups=10001 "$ROOT" "${COMMAND[@]}") >"$WORK/kiwi.log" 2>&1 &
KIWI_PID=$!
ready=""
for _ in $(seq 1 300); do
    kill -0 "$KIWI_PID" 2>/dev/null || { cat "$WORK/kiwi.log" >&2; fail "kiwi ended before it was ready"; }
    code=$(curl -s -o "$WORK/readyz.json" -w '%{http_code}' --max-time 3 "http://127.0.0.1:$PORT/readyz" || true)
    if [ "$code" = 200 ]; then ready=1; break; fi
    sleep 0.1
done
[ -n "$ready" ] || { cat "$WORK/kiwi.log" "$WORK/readyz.json" >&2; fail "/readyz did not answer 200 within 30 s"; }
python3 - "$WORK/readyz.json" <<'PY' || fail "/readyz answered 200 but not every check is ok"
import json, sys
answer = json.load(open(sys.argv[1]))
checks = answer["checks"]
assert answer["ready"] is True and checks and all(c["ok"] for c in checks), answer
print("/readyz 200: " + ", ".join(f"{c['name']} ok" for c in checks))
PY
[ "$(stat -c %u /proc/"$KIWI_PID")" = 10001 ] || fail "kiwi does not run as uid 10001"
[ -f "$ROOT/var/lib/kiwi/kiwi.sqlite" ] || fail "no database in the image's /var/lib/kiwi"
run_in_image "${HEALTH[@]}" >"$WORK/health.log" 2>&1 ||
    { cat "$WORK/health.log" >&2; fail "the HEALTHCHECK command (${HEALTH[*]}) failed"; }
echo "HEALTHCHECK ${HEALTH[*]}: exit 0 ($(head -c 80 "$WORK/health.log"))"

step "stop kiwi"
kill -TERM "$KIWI_PID"
for _ in $(seq 1 100); do kill -0 "$KIWI_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$KIWI_PID" 2>/dev/null && fail "kiwi did not stop within 10 s of SIGTERM"
status=0
wait "$KIWI_PID" || status=$?
KIWI_PID=""
[ "$status" = 0 ] || { tail -n 20 "$WORK/kiwi.log" >&2; fail "kiwi ended with status $status on SIGTERM"; }
if grep -q -e '"level":"ERROR"' -e ' ERROR ' -e panicked "$WORK/kiwi.log"; then
    grep -e '"level":"ERROR"' -e ' ERROR ' -e panicked "$WORK/kiwi.log" | head -n 5 >&2
    fail "kiwi logged errors"
fi
echo "stopped cleanly"

step "done"
printf 'check-image: passed in %.1f s\n' "$(echo "$(date +%s.%N) - $STARTED" | bc)"
