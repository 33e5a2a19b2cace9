#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy, warnings as errors) over the project's C++ sources.
#
#   tools/tidy.sh              every .cpp under src/ and tests/
#   tools/tidy.sh FILE...      only these files
#
# Needs a configured debug build (cmake --preset debug) for its compile commands. GCC's
# precompiled headers cannot be read by clang, so the commands are copied into build/tidy/
# without them (every source includes what it uses, so nothing is lost). Exits 1 when clang-tidy
# reports anything, 0 when clean; `make lint` and `make test` run it.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v clang-tidy >/dev/null || { echo "tidy: clang-tidy not found (run scripts/bootstrap)" >&2; exit 2; }
source_db=build/debug/compile_commands.json
[[ -f $source_db ]] || { echo "tidy: $source_db not found; run cmake --preset debug first" >&2; exit 2; }

mkdir -p build/tidy
python3 - "$source_db" build/tidy/compile_commands.json <<'PY'
import json, re, shlex, sys

source, target = sys.argv[1], sys.argv[2]
entries = []
for entry in json.load(open(source)):
    if entry["file"].endswith(".cxx"):  # the precompiled header's own translation unit
        continue
    args = shlex.split(entry["command"])
    kept, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "-include" :
            skip = True  # the next argument is the precompiled header
            continue
        if arg in ("-Winvalid-pch", "-Wno-error=restrict") or re.match(r"-include.*cmake_pch", arg):
            continue
        kept.append(arg)
    entry["command"] = shlex.join(kept)
    entries.append(entry)
json.dump(entries, open(target, "w"), indent=1)
PY

if (($#)); then
  files=("$@")
else
  mapfile -t files < <(find src tests -name '*.cpp' | sort)
fi

jobs=$(nproc)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# One clang-tidy per file, $jobs at a time; its output is kept only when it found something.
printf '%s\n' "${files[@]}" |
  xargs -P "$jobs" -I{} sh -c 'out=$(clang-tidy -p build/tidy --quiet "$1" 2>&1) || printf "%s\n" "$out"' _ {} >"$log" || true
# Only findings located in our sources count (see .clang-tidy: the analyzer's paths through
# Boost.Asio's coroutine headers are not ours to fix).
root=$(pwd)
ours="^(${root}/)?(src|tests|bench)/[^:]*:[0-9]+:[0-9]+: (warning|error):"
findings=$({ grep -E "$ours" "$log" || true; } | sort -u | wc -l)
if ((findings > 0)); then
  grep -E "$ours" "$log" | sort -u >&2
  echo "tidy: $findings finding(s) in ${#files[@]} file(s)" >&2
  exit 1
fi
echo "tidy: ok (${#files[@]} files)"
