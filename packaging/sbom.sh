#!/usr/bin/env bash
# A CycloneDX SBOM (JSON, spec 1.5) of the kiwi package with every dependency, made by
# cargo-cyclonedx from Cargo.lock, checked, and written outside the source tree.
#
#   packaging/sbom.sh [OUT]    (default OUT: ${CARGO_TARGET_DIR:-target}/sbom/kiwi.cdx.json)
#
# cargo-cyclonedx writes its files beside each workspace member's Cargo.toml; they are moved
# away at once (and ignored by git in between). The timestamp is the last commit's, so the
# same commit gives the same SBOM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT=${1:-${CARGO_TARGET_DIR:-$REPO/target}/sbom/kiwi.cdx.json}
fail() {
    echo "sbom: FAILED: $*" >&2
    exit 1
}
started=$(date +%s.%N)
cd "$REPO"

if ! cargo cyclonedx --version >/dev/null 2>&1; then
    echo "installing cargo-cyclonedx (cargo install --locked cargo-cyclonedx)"
    cargo install --locked --quiet cargo-cyclonedx || fail "cargo install cargo-cyclonedx"
fi
command -v python3 >/dev/null || fail "python3 is missing (apt-get install -y python3)"
echo "$(cargo cyclonedx --version)"

# The files cargo-cyclonedx writes, one per workspace member.
written=()
while IFS= read -r manifest; do
    written+=("$(dirname "$manifest")/kiwi.cdx.json")
done < <(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; [print(p["manifest_path"]) for p in json.load(sys.stdin)["packages"]]')
for file in "${written[@]}"; do
    [ ! -e "$file" ] || fail "$file exists already; remove it first"
done
trap 'rm -f "${written[@]}"' EXIT

if git -C "$REPO" rev-parse HEAD >/dev/null 2>&1; then
    SOURCE_DATE_EPOCH=$(git -C "$REPO" log -1 --format=%ct)
    export SOURCE_DATE_EPOCH
fi
cargo cyclonedx --format json --spec-version 1.5 --override-filename kiwi.cdx --quiet ||
    fail "cargo cyclonedx"
[ -f "$REPO/kiwi.cdx.json" ] || fail "cargo cyclonedx wrote no kiwi.cdx.json for the kiwi package"
mkdir -p "$(dirname "$OUT")"
mv "$REPO/kiwi.cdx.json" "$OUT"

VERSION=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "kiwi"))')
python3 - "$OUT" "$VERSION" <<'PY' || fail "the SBOM is not what it should be"
import collections, json, sys
bom = json.load(open(sys.argv[1]))
component = bom["metadata"]["component"]
assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5", "not CycloneDX 1.5"
assert component["name"] == "kiwi", f"describes {component['name']}, not kiwi"
assert component["version"] == sys.argv[2], f"version {component['version']}, not {sys.argv[2]}"
assert component.get("licenses") == [{"expression": "EUPL-1.2"}], component.get("licenses")
components = bom["components"]
names = {c["name"] for c in components}
for needed in ["actix-web", "sea-orm", "sqlx-core", "rustls", "argon2", "lettre", "migration"]:
    assert needed in names, f"{needed} is not in the SBOM"
assert all(c.get("purl", "").startswith("pkg:cargo/") for c in components), "a component without a cargo purl"
licences = collections.Counter(
    (c.get("licenses") or [{}])[0].get("expression") or (c.get("licenses") or [{}])[0].get("license", {}).get("id") or "none"
    for c in components)
unlicensed = sorted(c["name"] for c in components if not c.get("licenses"))
print(f"{sys.argv[1]}: kiwi {component['version']} ({component['licenses'][0]['expression']}), "
      f"{len(components)} components, spec {bom['specVersion']}")
print("licences: " + ", ".join(f"{name} {count}" for name, count in licences.most_common(6))
      + (f", {len(licences) - 6} other expressions" if len(licences) > 6 else ""))
if unlicensed:
    print("components without a licence in their metadata: " + ", ".join(unlicensed))
PY
printf 'sbom: written in %.1f s\n' "$(python3 -c "import time; print(time.time() - $started)")"
