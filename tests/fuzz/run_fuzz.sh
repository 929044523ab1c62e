#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR for FUZZ_SECONDS each, seeded
# from the corpus folders in tests/fuzz/corpus.txt. New inputs go to
# BUILD_DIR/corpus/<target> (not into the repository); crashes are saved as
# tests/fuzz/crashes/<target>-crash-<sha1>. Exit status 1 if any target crashed.
# Usage: tests/fuzz/run_fuzz.sh BUILD_DIR [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/../.."
build_dir=${1:?build dir}
seconds=${2:-${FUZZ_SECONDS:-60}}
shift $(( $# >= 2 ? 2 : $# ))
targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(sed -n 's/^\([a-z_]*\):.*/\1/p' tests/fuzz/corpus.txt)
fi
mkdir -p tests/fuzz/crashes
failed=()
for target in "${targets[@]}"; do
  bin="$build_dir/tests/fuzz/fuzz_$target"
  [[ -x $bin ]] || { echo "run_fuzz: $bin not built" >&2; failed+=("$target"); continue; }
  read -r -a seeds <<<"$(sed -n "s/^$target: *//p" tests/fuzz/corpus.txt)"
  existing=()
  for dir in "${seeds[@]}"; do [[ -e $dir ]] && existing+=("$dir"); done
  work="$build_dir/corpus/$target"
  mkdir -p "$work"
  echo "run_fuzz: $target for ${seconds}s (seeds: ${existing[*]})"
  # -fork keeps going after a crash so one run finds more than one bug.
  if ! "$bin" "$work" "${existing[@]}" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
      -max_len="${FUZZ_MAX_LEN:-16384}" -print_final_stats=1 -artifact_prefix="tests/fuzz/crashes/$target-" \
      >"$build_dir/fuzz-$target.log" 2>&1; then
    failed+=("$target")
    echo "run_fuzz: $target FOUND A CRASH; see $build_dir/fuzz-$target.log and tests/fuzz/crashes/" >&2
    grep -m1 -A12 'ERROR: \|runtime error' "$build_dir/fuzz-$target.log" >&2 || true
  else
    grep -E 'stat::number_of_executed_units|cov:' "$build_dir/fuzz-$target.log" | tail -2
  fi
done
if ((${#failed[@]})); then
  echo "run_fuzz: crashes or errors in: ${failed[*]}" >&2
  exit 1
fi
echo "run_fuzz: no crashes"
