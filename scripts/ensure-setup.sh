# Sourced by scripts/demo.sh and scripts/test.sh (from the repository root): runs the idempotent
# scripts/setup.sh first when this checkout was never set up, when setup or its pinned lists
# changed since (the stamp .testdata/.stamps/setup-complete holds their sha256), or when a
# path or command the caller needs is missing. After a finished setup the check costs one
# sha256sum.
#
#   ensure_setup [PATH | command:NAME]...

setup_key() {
  cat scripts/setup.sh scripts/testdata.sha256 scripts/requirements-setup.txt | sha256sum | cut -d' ' -f1
}

ensure_setup() {
  local stamp=.testdata/.stamps/setup-complete reason="" path
  if [ ! -f "$stamp" ]; then
    reason="this checkout has not been set up yet"
  elif [ "$(cat "$stamp")" != "$(setup_key)" ]; then
    reason="scripts/setup.sh or its pinned lists changed since the last setup"
  fi
  for path in "$@"; do
    [ -z "$reason" ] || break
    case "$path" in
      command:*) command -v "${path#command:}" >/dev/null || reason="${path#command:} is not installed" ;;
      *) [ -e "$path" ] || reason="$path is missing" ;;
    esac
  done
  [ -n "$reason" ] || return 0
  echo "== $reason: running scripts/setup.sh first (Debian packages, .venv, test material)"
  bash scripts/setup.sh
}
