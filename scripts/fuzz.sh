#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for SECONDS each (default 60):
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# The nightly toolchain builds them with debug assertions (overflows
# panic) and without AddressSanitizer: the code under test is safe Rust,
# and the C libraries under it (libxml2, libxslt, SQLite) are not
# instrumented by cargo-fuzz's sanitizer anyway; 16 codegen units keep the
# optimized build within minutes, and runs of a minute or less (the test
# suite's) use an unoptimized one, built in less. Each target
# starts from its corpus in fuzz/corpus/TARGET (kept in the repository) and
# writes what it finds to target/fuzz-work/TARGET; with FUZZ_KEEP=1 the
# new inputs that reach new code are merged into fuzz/corpus/TARGET.
# A crash, a hang (10 s) or running out of memory (2 GiB) stops that
# target: its input is left in fuzz/artifacts/TARGET/, the other targets
# run, and the script fails. Turn it into a regression test (SECURITY.md
# says how). Ends with "N passed, M failed" (targets).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    targets=(xml soap_envelope form definition settings codes wssecurity http)
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi
dict_of() {
    case "$1" in
        xml | soap_envelope | definition | wssecurity | http) echo fuzz/dict/xml.dict ;;
        form) echo fuzz/dict/form.dict ;;
        settings) echo fuzz/dict/toml.dict ;;
        *) echo "" ;;
    esac
}
# Runs of a minute or less (the test suite's) take a build without
# optimizations, which compiles in half the time; longer runs an optimized one.
# FUZZ_PROFILE=dev|release chooses.
profile="${FUZZ_PROFILE:-$([ "$seconds" -le 60 ] && echo dev || echo release)}"
if [ "$profile" = dev ]; then
    build=(--dev -s none)
    bins=fuzz/target/x86_64-unknown-linux-gnu/debug
else
    build=(-O -a -s none --codegen-units 16)
    bins=fuzz/target/x86_64-unknown-linux-gnu/release
fi
# FUZZ_NO_BUILD=1: run the targets built last (while the sources change).
[ "${FUZZ_NO_BUILD:-0}" = 1 ] || (cd fuzz && cargo +nightly fuzz build "${build[@]}")
summary=()
ok=0 bad=0
for t in "${targets[@]}"; do
    work="target/fuzz-work/$t"
    mkdir -p "$work" "fuzz/artifacts/$t"
    dict="$(dict_of "$t")"
    args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536
        -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/")
    [ -n "$dict" ] && args+=(-dict="$dict")
    echo "== fuzz $t for ${seconds}s"
    log="target/fuzz-work/$t.log"
    # The inputs of crashes found before, each a regression test already,
    # replayed first.
    if [ -d "fuzz/regressions/$t" ] && ! "$bins/$t" \
        -rss_limit_mb=2048 "fuzz/regressions/$t"/* >"$log" 2>&1; then
        grep -v '^#[0-9]' "$log" | tail -40
        echo "FAIL fuzz $t: a regression input fails again"
        summary+=("$t: regression FAILED")
        bad=$((bad + 1))
        continue
    fi
    if ! "$bins/$t" "${args[@]}" "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
        grep -v '^#[0-9]' "$log" | tail -40
        echo "FAIL fuzz $t (input in fuzz/artifacts/$t/)"
        summary+=("$t: FAILED")
        bad=$((bad + 1))
        continue
    fi
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    echo "ok fuzz $t: $runs runs"
    summary+=("$t: ${seconds}s, ${runs} runs, 0 crashes")
    ok=$((ok + 1))
    if [ "${FUZZ_KEEP:-0}" = 1 ]; then
        "$bins/$t" -merge=1 -rss_limit_mb=2048 \
            "fuzz/corpus/$t" "$work" >>"$log" 2>&1
    fi
done
printf '%s\n' "${summary[@]}"
echo "$ok passed, $bad failed"
[ "$bad" -eq 0 ]
