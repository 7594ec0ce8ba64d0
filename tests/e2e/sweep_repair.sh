#!/bin/bash
# A journal with corrupt lines in the middle (not JSON, another point's key, a wrong seed, an
# empty line) and a torn last line: --resume refuses it and names the first bad line;
# --resume --repair drops exactly those lines (and says so), rewrites the journal atomically,
# reruns the dropped trials, and the result files are byte-identical to an uninterrupted run.
#   bash tests/e2e/sweep_repair.sh build/safsim .
set -euo pipefail
SAFSIM=$(realpath "$1")
src=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
source "$src/tests/e2e/lib/expect_error.sh"
cat > repair.yaml <<'YAML'
name: repair
config:
  workload: {model: lenet5, images: 200}
  quant: {weight_bits: 4}
axes:
  - {key: faults.weights.stuck_at.rate, values: [0.005, 0.02]}
  - {key: mitigation.scheme, values: [none, addsub]}
repeat: 5
metrics: [accuracy, accuracy_drop, non_silent_faults]
YAML
FILES="results.csv aggregate.csv summary.json sweep.resolved.yaml"

"$SAFSIM" sweep repair.yaml --out full --threads 2 --no-progress 2> full.log
[ "$(wc -l < full/journal.jsonl)" -eq 21 ] || { echo "FAIL: expected 20 trials + header"; exit 1; }

# Line 4: not JSON; line 7: a point key that is not this sweep's; line 9: a seed the sweep does
# not derive; line 10: empty; then a last line torn mid-write.
mkdir broken
awk 'NR == 4 { print "{\"point\": 0, garbage"; next }
     NR == 7 { sub(/"key":"[^"]*"/, "\"key\":\"mitigation.scheme=lsb\""); print; next }
     NR == 9 { sub(/"seed":[0-9]+/, "\"seed\":12345"); print; print ""; next }
     { print }' full/journal.jsonl > broken/journal.jsonl
printf '{"point":3,"key":"fau' >> broken/journal.jsonl
bad_point=$(sed -n 7p full/journal.jsonl | sed 's/^{"point":\([0-9]*\),.*/\1/')

expect_error "broken/journal.jsonl:4: not a JSON object; continue with --resume --repair" \
  "$SAFSIM" sweep repair.yaml --out broken --resume --no-progress
expect_error "--repair repairs the journal of the sweep it continues: use it with --resume" \
  "$SAFSIM" sweep repair.yaml --out broken --repair --no-progress

"$SAFSIM" sweep repair.yaml --out broken --resume --repair --threads 2 --no-progress 2> repaired.log
grep -qF "sweep: repaired broken/journal.jsonl: kept the header and 17 record(s); dropped 4 line(s) that are not records of this sweep (lines 4, 7, 9-10) and the incomplete last line 23 (21 bytes without a newline); their trials run again" repaired.log \
  || { echo "FAIL: repair report"; cat repaired.log; exit 1; }
grep -qx "  line 4: not a JSON object" repaired.log
grep -qx "  line 7: point $bad_point is 'mitigation.scheme=lsb' in the journal but '.*' in the sweep" repaired.log
grep -q "^  line 9: trial [0-9] has seed 12345, the sweep derives [0-9]*$" repaired.log
grep -qx "  line 10: not a JSON object" repaired.log
grep -q "sweep repair: 4 points x 5 trials = 20 trials, 17 from the journal" repaired.log
for f in $FILES; do
  cmp "full/$f" "broken/$f" || { echo "FAIL: broken/$f differs from the uninterrupted run"; exit 1; }
done
# The journal is whole again: the header and one line per trial, each a JSON object; no
# temporary file is left beside it.
[ "$(wc -l < broken/journal.jsonl)" -eq 21 ] || { echo "FAIL: repaired journal length"; exit 1; }
/usr/bin/python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' broken/journal.jsonl
leftovers=$(ls -A broken | grep -v -x -e journal.jsonl -e .sweep.lock -e timing.json \
  -e results.csv -e aggregate.csv -e summary.json -e sweep.resolved.yaml || true)
[ -z "$leftovers" ] || { echo "FAIL: left in broken/: $leftovers"; exit 1; }

# A second repair finds nothing and changes nothing.
cp broken/journal.jsonl journal.before
"$SAFSIM" sweep repair.yaml --out broken --resume --repair --no-progress 2> again.log
grep -qF "broken/journal.jsonl: every line is a record of this sweep; nothing to repair" again.log
cmp journal.before broken/journal.jsonl

# The header ties the journal to its sweep: a journal whose header is not this sweep's is not
# repaired into it.
mkdir foreign
sed '1s/"fingerprint":"[0-9a-f]*"/"fingerprint":"0000000000000000"/' full/journal.jsonl \
  > foreign/journal.jsonl
expect_error "belongs to a different sweep" \
  "$SAFSIM" sweep repair.yaml --out foreign --resume --repair --no-progress
cmp <(tail -n +2 full/journal.jsonl) <(tail -n +2 foreign/journal.jsonl)
echo "OK: 4 corrupt lines and a torn tail dropped, their trials rerun, results byte-identical"
