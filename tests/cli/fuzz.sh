#!/usr/bin/env bash
# fuzz.sh - a bounded libFuzzer run (a few seconds per target) of the
# option parser and the tree copier; `make fuzz` runs the same targets for
# minutes (tests/fuzz/run.sh). RL_FUZZ_SECONDS overrides the time.
. "$(dirname "$0")/../lib/common.sh"
bash "$TOP/tests/fuzz/run.sh" "${RL_FUZZ_SECONDS:-5}"
