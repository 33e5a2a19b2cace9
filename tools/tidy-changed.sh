#!/usr/bin/env bash
# Prints the src/ translation units that clang-tidy must look at in `make test`: those changed
# since the last commit at which clang-tidy found all of src/ clean (tools/tidy-clean-at, written
# by `make lint`, which checks tests/ as well, when it passes on a committed tree), plus the .cpp files of src/ that
# include a changed header, plus what the working tree changes or adds. Everything when that
# commit is unknown (no git, no record, not an ancestor of HEAD) or when .clang-tidy, the compiler
# flags or the way tools/tidy.sh runs it changed.
#
# Why: clang-tidy over all of src/ costs about an hour of CPU, which on two cores was a third of
# the CI budget for a verdict that only changed files can alter. The full pass stays `make lint`.
set -euo pipefail
cd "$(dirname "$0")/.."

all_sources() { find src -name '*.cpp' | sort; }

record=tools/tidy-clean-at
base=""
[[ -f $record ]] && base=$(tr -dc '0-9a-f' <"$record")
if [[ -z $base ]] || ! command -v git >/dev/null || ! git rev-parse --git-dir >/dev/null 2>&1 ||
  ! git cat-file -e "$base^{commit}" 2>/dev/null || ! git merge-base --is-ancestor "$base" HEAD 2>/dev/null; then
  all_sources
  exit 0
fi

mapfile -t changed < <(
  {
    git diff --name-only "$base" HEAD
    git diff --name-only HEAD
    git ls-files --others --exclude-standard
  } | sort -u
)
for file in "${changed[@]}"; do
  case $file in
    .clang-tidy | CMakeLists.txt | CMakePresets.json | cmake/* | tools/tidy.sh)
      all_sources
      exit 0
      ;;
  esac
done

{
  for file in "${changed[@]}"; do
    [[ -f $file ]] || continue
    case $file in
      src/*.cpp) echo "$file" ;;
      src/*.hpp | src/*.h)
        # Includes are written from src/ ("services/x.hpp"); a changed header is checked in every
        # file that names it (one level: a header's own includers' includers are rarely affected).
        header=${file#src/}
        grep -rlF --include='*.cpp' "#include \"$header\"" src || true
        ;;
      proto/*.proto)
        # The generated messages and stubs: every file that includes them.
        stem=${file#proto/}
        stem=${stem%.proto}
        grep -rlF --include='*.cpp' "#include \"$stem." src || true
        grep -rlF --include='*.hpp' "#include \"$stem." src | while read -r header; do
          grep -rlF --include='*.cpp' "#include \"${header#src/}\"" src || true
        done
        ;;
    esac
  done
} | sort -u
