# Shared by the e2e scripts: `source "$src/tests/e2e/lib/expect_error.sh"` after setting $tmp.
# expect_error "message part" command...: the command must exit with code 2 (a user error) and
# print the message part on stderr.
expect_error() {
  local want="$1"
  shift
  set +e
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  set -e
  if [[ $rc -ne 2 ]]; then
    echo "FAIL: exit code $rc (want 2): $*"; cat "$tmp/err"; exit 1
  fi
  if ! grep -qF -- "$want" "$tmp/err"; then
    echo "FAIL: stderr lacks '$want': $*"; cat "$tmp/err"; exit 1
  fi
}
