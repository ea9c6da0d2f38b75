#!/usr/bin/env bash
# The project's entry points (see README.md):
#   ./dev.sh demo [--host H] [--port P]   install what is missing, seed once, serve the demo
#   ./dev.sh test [pytest args]           install what is missing, run the whole test suite
#   ./dev.sh lock [uv pip compile args]   regenerate requirements/test.lock from pyproject.toml
# demo and test install their own needs: Debian packages (when missing), a virtualenv in .venv,
# the package. .venv holds the exact versions of requirements/test.lock (the test extra, kiosk extra
# included, with hashes); pyproject.toml keeps the loose ranges for library users. Only lock needs uv.
set -euo pipefail
cd "$(dirname "$0")"

die() { echo "dev.sh: $*" >&2; exit 1; }

LOCK=requirements/test.lock
UV_VERSION=0.13.9  # only for `./dev.sh lock`

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "dev.sh: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

python_env() {
  local py=${PYTHON:-python3}
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python 3.11 or newer is needed (found $("$py" --version))"
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  local stamp=.venv/.installed-$(cat "$LOCK" pyproject.toml | sha256sum | cut -c1-16)
  if [ ! -f "$stamp" ]; then
    echo "dev.sh: installing Python packages into .venv (from $LOCK)"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q --require-hashes -r "$LOCK"
    .venv/bin/python -m pip install -q --no-deps -e .
    rm -f .venv/.installed-*
    touch "$stamp"
  fi
}

# axe-core for the kiosk accessibility tests (tests/e2e/package.json, pinned by its package-lock.json).
e2e_tools() {
  command -v npm >/dev/null || apt_install nodejs npm
  local stamp=tests/e2e/node_modules/.installed-$(sha256sum tests/e2e/package-lock.json | cut -c1-16)
  if [ ! -f "$stamp" ]; then
    echo "dev.sh: installing the end-to-end tests' npm packages into tests/e2e/node_modules"
    npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
}

cmd=${1:-}
[ -n "$cmd" ] && shift
case "$cmd" in
  demo)
    # The demo shares the test environment (readers included): pyscard builds against libpcsclite.
    apt_install fonts-noto-cjk libpcsclite-dev swig espeak-ng
    python_env
    exec .venv/bin/kiosk demo "$@"
    ;;
  test)
    apt_install chromium fonts-noto-cjk pcscd vsmartcard-vpcd libpcsclite-dev swig systemd openssl espeak-ng cups printer-driver-cups-pdf ffmpeg
    python_env
    e2e_tools
    set +e
    # Static checks first, then the suite all the same; every failure is reported at the end.
    # mypy checks what [tool.mypy] in pyproject.toml names; ruff lints and checks the house format.
    failed=()
    echo "dev.sh: mypy"
    .venv/bin/python -m mypy || failed+=("mypy")
    echo "dev.sh: ruff check . && ruff format --check ."
    .venv/bin/ruff check . || failed+=("ruff check")
    .venv/bin/ruff format --check . || failed+=("ruff format --check")
    # Two workers by default (KIOSK_TEST_WORKERS=0 runs in one process). Much of the suite waits on
    # servers, browsers and timeouts, so two workers help even on two cores. Tests that share one
    # machine-wide resource (pcscd) carry an xdist_group and stay together; tests marked "isolated"
    # (several server processes failing over) run afterwards with nothing beside them.
    .venv/bin/python -m pytest -n "${KIOSK_TEST_WORKERS:-2}" --dist loadgroup --durations=25 -m "not isolated" "$@"
    first=$?
    .venv/bin/python -m pytest -m isolated "$@"
    second=$?
    set -e
    # pytest's 5 means "no tests ran": a failure here unless the other run had tests.
    if [ $first -eq 5 ] && [ $second -eq 5 ]; then
      failed+=("pytest (collected no tests)")
    else
      [ $first -ne 0 ] && [ $first -ne 5 ] && failed+=("pytest (exit $first)")
      [ $second -ne 0 ] && [ $second -ne 5 ] && failed+=("pytest -m isolated (exit $second)")
    fi
    if [ ${#failed[@]} -gt 0 ]; then
      printf 'dev.sh: FAILED: %s\n' "${failed[@]}" >&2
      exit 1
    fi
    exit 0
    ;;
  lock)
    # Exact versions for Python 3.11 on Linux x86_64. Pins already in the lock are kept while
    # pyproject.toml allows them; `./dev.sh lock --upgrade` (or --upgrade-package NAME) takes newer ones.
    [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
    [ "$(.venv/bin/uv --version 2>/dev/null)" = "uv $UV_VERSION" ] \
      || .venv/bin/python -m pip install -q "uv==$UV_VERSION"
    mkdir -p "$(dirname "$LOCK")"
    exec .venv/bin/uv pip compile pyproject.toml --extra test --generate-hashes \
      --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
      --custom-compile-command "./dev.sh lock" --quiet -o "$LOCK" "$@"
    ;;
  *)
    die "usage: ./dev.sh demo [--host H] [--port P] | ./dev.sh test [pytest args] | ./dev.sh lock"
    ;;
esac
