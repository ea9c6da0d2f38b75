#!/usr/bin/env bash
# The project's two entry points (see README.md):
#   ./dev.sh demo [--host H] [--port P]   install what is missing, seed once, serve the demo
#   ./dev.sh test [pytest args]           install what is missing, run the whole test suite
# Both install their own needs: Debian packages (when missing), a virtualenv in .venv, the package.
set -euo pipefail
cd "$(dirname "$0")"

die() { echo "dev.sh: $*" >&2; exit 1; }

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
  local stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
  if [ ! -f "$stamp" ]; then
    echo "dev.sh: installing Python packages into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test]"
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
    apt_install fonts-noto-cjk libpcsclite-dev swig
    python_env
    exec .venv/bin/kiosk demo "$@"
    ;;
  test)
    apt_install chromium fonts-noto-cjk pcscd vsmartcard-vpcd libpcsclite-dev swig
    python_env
    e2e_tools
    set +e
    # Two workers by default (KIOSK_TEST_WORKERS=0 runs in one process). Much of the suite waits on
    # servers, browsers and timeouts, so two workers help even on two cores. Tests that share one
    # machine-wide resource (pcscd) carry an xdist_group and stay together; tests marked "isolated"
    # (several server processes failing over) run afterwards with nothing beside them.
    .venv/bin/python -m pytest -n "${KIOSK_TEST_WORKERS:-2}" --dist loadgroup -m "not isolated" "$@"
    first=$?
    .venv/bin/python -m pytest -m isolated "$@"
    second=$?
    set -e
    # pytest's 5 means "no tests ran": a failure here unless the other run had tests.
    [ $first -eq 5 ] && [ $second -eq 5 ] && die "pytest collected no tests"
    for status in $first $second; do
      [ $status -ne 0 ] && [ $status -ne 5 ] && exit $status
    done
    exit 0
    ;;
  *)
    die "usage: ./dev.sh demo [--host H] [--port P] | ./dev.sh test [pytest args]"
    ;;
esac
