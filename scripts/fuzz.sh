#!/usr/bin/env bash
# Builds the libFuzzer targets of the input parsers (tests/fuzz/libfuzzer/) with clang-14,
# AddressSanitizer and UndefinedBehaviorSanitizer into BUILD_DIR (default build-fuzz/), seeds
# them from the repository's inputs and runs each for SECONDS (default 20). Fails on any finding:
# a crash, a sanitizer report, a leak, an exception other than a user error, an input that takes
# over 10 s or 2 GB; the input is kept as BUILD_DIR/fuzz-artifacts/TARGET-*. The corpus grows in
# BUILD_DIR/fuzz-corpus/ from run to run (docs/limits.md, "Fuzzing").
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: config sweep onnx idx cifar npz
#        defect_map test_set; default all). Replay one input: BUILD_DIR/fuzz_TARGET FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(config sweep onnx idx cifar npz defect_map test_set)
fi
build_dir="${BUILD_DIR:-build-fuzz}"

scripts/setup.sh  # clang-14 and libclang-rt-14-dev (libFuzzer) are in the test packages
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++-14 \
  -DSAFSIM_BUILD_FUZZERS=ON -DSAFSIM_BUILD_TESTS=OFF -DSAFSIM_BUILD_BENCH=OFF -DSAFSIM_MPI=OFF \
  -DSAFSIM_WERROR="${SAFSIM_WERROR:-OFF}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

seeds="$build_dir/fuzz-seeds"
rm -rf "$seeds"
/usr/bin/python3 tests/fuzz/libfuzzer/make_corpus.py "$seeds" . >/dev/null
mkdir -p "$build_dir/fuzz-artifacts" "$build_dir/fuzz-logs"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 SAFSIM_CACHE_DIR=off
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=()
for t in "${targets[@]}"; do
  corpus="$build_dir/fuzz-corpus/$t"
  mkdir -p "$corpus"
  dict=()
  if [[ $t == config || $t == sweep ]]; then
    dict=(-dict="$seeds/config.dict")
  fi
  log="$build_dir/fuzz-logs/$t.log"
  rc=0
  "$build_dir/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build_dir/fuzz-artifacts/$t-" \
    "${dict[@]}" "$corpus" "$seeds/$t" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz $t: ${runs:-?} inputs in ${seconds} s (${rate:-?}/s), corpus $(ls "$corpus" | wc -l)," \
    "exit $rc"
  if ((rc != 0)); then
    failed+=("$t")
    grep -v "^#[0-9]" "$log" | tail -n 60
  fi
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: findings in ${failed[*]}; inputs in $build_dir/fuzz-artifacts/, logs in" \
    "$build_dir/fuzz-logs/"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets clean"
