#!/usr/bin/env bash
# npm test: type-check, then every test/*.test.ts with uvu; ends with `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
echo "» tsc --noEmit"
if ! npx tsc --noEmit -p .; then echo "type check failed"; echo "0 passed, 1 failed"; exit 1; fi
out=$(mktemp)
NO_COLOR=1 node --import tsx node_modules/uvu/bin.js test "${1:-\\.test\\.ts$}" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
t=$(sed -n 's/^ *Total: *\([0-9]*\).*/\1/p' "$out" | tail -1)
p=$(sed -n 's/^ *Passed: *\([0-9]*\).*/\1/p' "$out" | tail -1)
s=$(sed -n 's/^ *Skipped: *\([0-9]*\).*/\1/p' "$out" | tail -1)
f=$(( ${t:-0} - ${p:-0} ))
# a test file that throws on import exits non-zero without counting a failure
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
rm -f "$out"
echo "${p:-0} passed, ${f} failed, ${s:-0} skipped"
exit $rc
