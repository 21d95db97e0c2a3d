#!/bin/sh
# Lays out the root file system of kiwi's container image in OUT/system: the binary, exactly
# the shared libraries it is linked against (as ldd lists them) and the dynamic loader, the
# CA certificates (for SMTP and PostgreSQL over TLS), a passwd/group with the user kiwi (uid
# 10001), a minimal nsswitch.conf, the content kiwi reads at run time under /usr/share/kiwi,
# /var/lib and /tmp. No shell, no package manager. OUT/data is the empty data directory,
# copied to /var/lib/kiwi with the owner 10001 (a copy onto a directory that exists already
# would leave it root's).
# Time zones need no files: chrono-tz compiles the IANA database into the binary.
#
#   packaging/rootfs.sh BINARY REPOSITORY OUT
#
# Used by packaging/Containerfile (in its build stage) and by packaging/check-image.sh (on
# the host, with a binary built there).
set -eu

[ $# -eq 3 ] || { echo "usage: $0 BINARY REPOSITORY OUT" >&2; exit 2; }
bin=$1
repo=$2
out=$3/system
data=$3/data
[ -x "$bin" ] || { echo "rootfs: no executable $bin" >&2; exit 1; }
[ -d "$repo/courses" ] || { echo "rootfs: no courses/ in $repo" >&2; exit 1; }
[ ! -e "$3" ] || { echo "rootfs: $3 exists already" >&2; exit 1; }
ca=/etc/ssl/certs/ca-certificates.crt
[ -f "$ca" ] || { echo "rootfs: no $ca (apt-get install ca-certificates)" >&2; exit 1; }
command -v ldd >/dev/null || { echo "rootfs: no ldd (apt-get install libc-bin)" >&2; exit 1; }

mkdir -p "$out/usr/bin" "$out/etc/ssl/certs" "$out/usr/share/kiwi/policies" \
    "$out/usr/share/doc/kiwi" "$out/var/lib" "$out/tmp" "$data"
cp "$bin" "$out/usr/bin/kiwi"
if command -v strip >/dev/null; then strip --strip-unneeded "$out/usr/bin/kiwi"; fi
chmod 755 "$out/usr/bin/kiwi"

# Each library at the path the dynamic loader finds it, symbolic links resolved. A library
# ldd cannot find is an error, not a gap in the image.
ldd "$bin" >"$out/.ldd"
if grep -q 'not found' "$out/.ldd"; then
    cat "$out/.ldd" >&2
    echo "rootfs: a library of $bin is missing" >&2
    exit 1
fi
for lib in $(sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' "$out/.ldd"); do
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"
done
rm "$out/.ldd"

cp -L "$ca" "$out/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/:/nonexistent\nkiwi:x:10001:10001:kiwi:/var/lib/kiwi:/nonexistent\n' \
    >"$out/etc/passwd"
printf 'root:x:0:\nkiwi:x:10001:\n' >"$out/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$out/etc/nsswitch.conf"

cp -R "$repo/courses" "$out/usr/share/kiwi/courses"
cp -R "$repo/policies/ai-usage" "$out/usr/share/kiwi/policies/ai-usage"
cp "$repo/tools.toml" "$repo/contacts.toml" "$out/usr/share/kiwi/"
cp "$repo/LICENSE" "$out/usr/share/doc/kiwi/"

find "$out/usr/share" "$out/etc" -type d -exec chmod 755 {} +
find "$out/usr/share" "$out/etc" -type f -exec chmod 644 {} +
chmod 755 "$out/var" "$out/var/lib"
chmod 750 "$data"
chmod 1777 "$out/tmp"
