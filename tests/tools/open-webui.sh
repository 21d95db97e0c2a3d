#!/usr/bin/env bash
# Open WebUI, the reference AI tool behind kiwi's forward auth, for the tests.
#
#   tests/tools/open-webui.sh                    install if needed, print the virtualenv's path
#   tests/tools/open-webui.sh run PORT DATA_DIR  install if needed, then run Open WebUI on
#                                                127.0.0.1:PORT with its data in DATA_DIR,
#                                                offline, signing people in only from kiwi's
#                                                headers (the process replaces this script)
#
# The virtualenv lives outside the clone, in
# ${KIWI_TOOL_CACHE:-$HOME/.cache/kiwi-tests}/open-webui-<version>, and is built once: a
# second call only checks a stamp. KIWI_PYTHON picks the interpreter (default python3;
# Open WebUI needs 3.11 or 3.12).
#
# Open WebUI's own requirements pull in torch, sentence-transformers, transformers,
# faster-whisper, onnxruntime, chromadb, opencv, pandas and more (261 packages, over 3 GB
# to download, torch and the CUDA libraries alone 2.7 GB). None of them is needed to serve
# the UI and /api/* against an external model provider, which is what Open WebUI's "slim"
# mode (USE_SLIM_DOCKER=true) is for. So the package is installed with --no-deps, next to
# the pinned list below: what Open WebUI imports when it starts in slim mode, and what those
# packages need in turn.
#
# Every variable that `run` sets can be overridden from the caller's environment, e.g.
# WEBUI_AUTH_TRUSTED_GROUPS_HEADER= to leave groups alone, or WEBUI_ADMIN_EMAIL= to let
# the first person who signs in become Open WebUI's admin (its own default).
set -euo pipefail

OPEN_WEBUI_VERSION=0.12.4
CACHE="${KIWI_TOOL_CACHE:-$HOME/.cache/kiwi-tests}"
VENV="$CACHE/open-webui-$OPEN_WEBUI_VERSION"
PYTHON="${KIWI_PYTHON:-python3}"

die() {
    echo "open-webui.sh: $*" >&2
    exit 1
}

usage() {
    sed -n '4,9s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

requirements() {
    cat <<EOF
open-webui==$OPEN_WEBUI_VERSION
EOF
    cat <<'EOF'
# Imported by Open WebUI when it starts in slim mode (pins as in its own requirements)
aiocache==0.12.3
aiofiles==25.1.0
aiohttp==3.14.5
aiosqlite==0.22.1
alembic==1.18.4
asgiref==3.11.1
Authlib==1.7.2
bcrypt==5.0.0
beautifulsoup4==4.14.3
black==26.5.1
boto3==1.42.62
cryptography==48.0.1
fastapi==0.136.3
google-re2==1.1.20251105
httpx==0.28.1
httpx2==2.16.0
itsdangerous==2.2.0
joserfc==1.7.4
langchain-classic==1.0.7
langchain-core==1.4.8
langchain-text-splitters==1.1.2
ldap3==2.9.1
loguru==0.7.3
Markdown==3.10.2
mcp==2.3.0
numpy==2.4.6
orjson==3.11.9
pillow==13.0.0
pycrdt==0.14.8
pydantic==2.13.4
PyJWT==2.13.0
pyotp==2.9.0
python-dateutil==2.9.0.post0
python-mimeparse==2.0.0
python-multipart==0.0.32
python-socketio==5.16.2
pytz==2026.2
qrcode==8.2
redis==8.0.1
requests==2.34.2
SQLAlchemy==2.0.50
starlette-compress==1.7.1
starsessions==2.2.1
tiktoken==0.13.0
typer==0.25.1
uvicorn==0.54.0
validators==0.35.0
# What those need
aiohappyeyeballs==2.7.1
aiosignal==1.4.0
annotated-doc==0.0.7
annotated-types==0.8.0
anyio==4.16.0
attrs==26.1.0
bidict==0.24.1
botocore==1.42.97
brotli==1.2.1
certifi==2026.10.19.post1
cffi==2.1.1
charset-normalizer==3.5.3
click==8.5.1
distro==1.9.0
frozenlist==1.8.0
greenlet==3.5.6
h11==0.16.0
httpcore==1.0.9
httpcore2==2.16.2
idna==3.20
jmespath==1.1.0
jsonpatch==1.48
jsonpointer==3.12
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
langchain-protocol==0.0.20
langsmith==0.15.1
Mako==1.4.3
markdown-it-py==4.3.0
MarkupSafe==3.0.4
mcp-types==2.3.0
mdurl==0.1.2
multidict==7.2.1
mypy_extensions==1.2.0
opentelemetry-api==1.42.1
packaging==26.4
pathspec==1.1.1
platformdirs==4.14.9
propcache==0.5.4
pyasn1==0.6.5
pycparser==3.12
pydantic_core==2.46.4
Pygments==2.21.0
python-engineio==4.15.1
pytokens==0.4.1
PyYAML==6.0.4
referencing==0.37.0
regex==2026.5.9
requests-toolbelt==1.0.0
rich==15.0.0
rpds-py==2026.9.1
s3transfer==0.16.1
shellingham==1.5.4
simple-websocket==1.1.0
six==1.17.0
sniffio==1.3.1
soupsieve==4.1.3
sse-starlette==3.7.1
starlette==1.10.0
tenacity==9.2.1
truststore==0.10.5
typing-inspection==0.4.5
typing_extensions==4.16.0
urllib3==2.8.0
uuid_utils==0.19.0
websockets==17.4
wsproto==1.3.2
xxhash==4.1.0
yarl==1.25.1
zstandard==0.25.0
EOF
}

# The environment for an offline Open WebUI that trusts kiwi's headers and nothing else.
# Needs DATA_DIR set.
tool_environment() {
    # Data, and the static files Open WebUI copies at start, stay out of the virtualenv.
    export DATA_DIR
    : "${STATIC_DIR:=$DATA_DIR/static}"
    if [ -z "${WEBUI_SECRET_KEY:-}" ]; then
        [ -s "$DATA_DIR/.webui_secret_key" ] ||
            (umask 077 && head -c 24 /dev/urandom | base64 >"$DATA_DIR/.webui_secret_key")
        WEBUI_SECRET_KEY="$(cat "$DATA_DIR/.webui_secret_key")"
    fi
    # Slim mode: no local embedding, speech or vector models, no cloud storage clients.
    : "${USE_SLIM_DOCKER:=true}"
    # No call home: no model downloads, no update check, no telemetry, no model providers.
    : "${OFFLINE_MODE:=true}"
    : "${HF_HUB_OFFLINE:=1}"
    : "${ENABLE_VERSION_UPDATE_CHECK:=false}"
    : "${ENABLE_OLLAMA_API:=false}"
    # Without an Ollama address of its own, Open WebUI probes localhost:11434 and :12434
    # while it starts, disabled or not.
    : "${OLLAMA_BASE_URL:=http://127.0.0.1:11434}"
    : "${ENABLE_OPENAI_API:=false}"
    : "${ENABLE_COMMUNITY_SHARING:=false}"
    : "${SCARF_NO_ANALYTICS:=true}"
    : "${DO_NOT_TRACK:=true}"
    : "${ANONYMIZED_TELEMETRY:=false}"
    # People come only through kiwi: the proxy sets these headers after kiwi said yes.
    : "${WEBUI_AUTH_TRUSTED_EMAIL_HEADER:=X-Kiwi-User}"
    : "${WEBUI_AUTH_TRUSTED_NAME_HEADER:=X-Kiwi-Name}"
    : "${WEBUI_AUTH_TRUSTED_GROUPS_HEADER=X-Kiwi-Groups}"
    : "${DEFAULT_USER_ROLE:=user}"
    : "${ENABLE_SIGNUP:=false}"
    : "${ENABLE_API_KEYS:=false}"
    # Without an admin set here, the first person to sign in would become admin.
    : "${WEBUI_ADMIN_EMAIL=admin@open-webui.invalid}"
    if [ -n "$WEBUI_ADMIN_EMAIL" ] && [ -z "${WEBUI_ADMIN_PASSWORD:-}" ]; then
        WEBUI_ADMIN_PASSWORD="$(head -c 18 /dev/urandom | base64)"
    fi
    : "${FORWARDED_ALLOW_IPS:=127.0.0.1}"
    : "${GLOBAL_LOG_LEVEL:=WARNING}"
    export STATIC_DIR WEBUI_SECRET_KEY USE_SLIM_DOCKER OFFLINE_MODE HF_HUB_OFFLINE \
        ENABLE_VERSION_UPDATE_CHECK ENABLE_OLLAMA_API OLLAMA_BASE_URL ENABLE_OPENAI_API ENABLE_COMMUNITY_SHARING \
        SCARF_NO_ANALYTICS DO_NOT_TRACK ANONYMIZED_TELEMETRY \
        WEBUI_AUTH_TRUSTED_EMAIL_HEADER WEBUI_AUTH_TRUSTED_NAME_HEADER \
        WEBUI_AUTH_TRUSTED_GROUPS_HEADER DEFAULT_USER_ROLE ENABLE_SIGNUP ENABLE_API_KEYS \
        WEBUI_ADMIN_EMAIL WEBUI_ADMIN_PASSWORD FORWARDED_ALLOW_IPS GLOBAL_LOG_LEVEL
    [ -n "$WEBUI_AUTH_TRUSTED_GROUPS_HEADER" ] || unset WEBUI_AUTH_TRUSTED_GROUPS_HEADER
    [ -n "$WEBUI_ADMIN_EMAIL" ] || unset WEBUI_ADMIN_EMAIL WEBUI_ADMIN_PASSWORD
    # Tells Open WebUI it runs as an installed package (data and frontend paths).
    export FROM_INIT_PY=true
}

# What the virtualenv was built from: the packages, the interpreter's version and the
# install steps themselves; when one of them changes, the next call builds it anew.
expected_stamp() {
    { requirements; echo "python ${1:-}"; declare -f install; } | sha256sum | cut -d' ' -f1
}

installed() {
    [ -f "$VENV/.kiwi-installed" ] && [ -x "$VENV/bin/open-webui" ] &&
        [ "$(cat "$VENV/.kiwi-installed")" = "$(expected_stamp "$(cat "$VENV/.kiwi-python" 2>/dev/null)")" ]
}

install() {
    local version reqs smoke
    command -v "$PYTHON" >/dev/null || die "no Python interpreter '$PYTHON' (set KIWI_PYTHON)"
    version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" ||
        die "cannot run '$PYTHON'"
    case "$version" in
        3.11 | 3.12) ;;
        *) die "Open WebUI $OPEN_WEBUI_VERSION needs Python 3.11 or 3.12, '$PYTHON' is $version (set KIWI_PYTHON)" ;;
    esac

    echo "open-webui.sh: installing Open WebUI $OPEN_WEBUI_VERSION into $VENV" >&2
    rm -rf "$VENV"
    trap 'rm -rf "$VENV"; echo "open-webui.sh: installing Open WebUI $OPEN_WEBUI_VERSION failed (see above); nothing was left in $VENV" >&2' EXIT
    "$PYTHON" -m venv "$VENV" || die "could not create a virtualenv with '$PYTHON' (is its venv module installed?)"
    reqs="$VENV/kiwi-requirements.txt"
    requirements >"$reqs"
    "$VENV/bin/python" -m pip install --quiet --no-input --disable-pip-version-check \
        --no-deps --only-binary=:all: -r "$reqs" ||
        die "pip could not install the pinned packages"

    # At every start Open WebUI turns its whole CHANGELOG.md (1.5 MB) into HTML and parses
    # it again, which takes about a fifth of its start-up time. It looks for the file
    # beside its source tree first; there it finds only this release's part.
    local purelib
    purelib="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    awk '/^## \[/ { n++ } n < 2' "$purelib/open_webui/CHANGELOG.md" >"$(dirname "$purelib")/CHANGELOG.md"

    # Everything Open WebUI imports when it starts must be there: import it once, offline,
    # against throw-away data. The import brings a new database up to date (some 70
    # migrations, two seconds); the result is kept to start each new DATA_DIR from.
    smoke="$(mktemp -d)"
    if ! (unset DATABASE_URL REDIS_URL && DATA_DIR="$smoke" WEBUI_ADMIN_EMAIL= &&
        tool_environment && cd "$smoke" &&
        "$VENV/bin/python" -c 'import open_webui.main' >"$smoke/import.log" 2>&1); then
        tail -n 30 "$smoke/import.log" >&2
        rm -rf "$smoke"
        die "Open WebUI $OPEN_WEBUI_VERSION does not start with the pinned packages"
    fi
    [ -s "$smoke/webui.db" ] || die "importing Open WebUI created no database"
    cp "$smoke/webui.db" "$VENV/kiwi-migrated-webui.db"
    rm -rf "$smoke"

    echo "$version" >"$VENV/.kiwi-python"
    expected_stamp "$version" >"$VENV/.kiwi-installed"
    trap - EXIT
    echo "open-webui.sh: installed, $(du -sh "$VENV" | cut -f1)" >&2
}

ensure_installed() {
    installed && return 0
    mkdir -p "$CACHE"
    exec 9>"$CACHE/open-webui-$OPEN_WEBUI_VERSION.lock"
    flock 9
    installed || install
    exec 9>&-
}

case "${1:-}" in
    "")
        ensure_installed
        echo "$VENV"
        ;;
    run)
        [ $# -eq 3 ] || usage
        PORT="$2"
        case "$PORT" in '' | *[!0-9]*) die "PORT must be a number, not '$PORT'" ;; esac
        mkdir -p "$3"
        DATA_DIR="$(cd "$3" && pwd)"
        ensure_installed
        tool_environment
        if [ -z "${DATABASE_URL:-}" ] && [ ! -e "$DATA_DIR/webui.db" ]; then
            cp "$VENV/kiwi-migrated-webui.db" "$DATA_DIR/webui.db"
        fi
        cd "$DATA_DIR"
        exec "$VENV/bin/open-webui" serve --host 127.0.0.1 --port "$PORT"
        ;;
    -h | --help | help) usage ;;
    *) usage ;;
esac
