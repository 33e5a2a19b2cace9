#!/usr/bin/env bash
# Prints the src/ translation units that clang-tidy must look at in `make test`: those changed
# since the last commit at which clang-tidy found all of src/ clean (tools/tidy-clean-at, written
# by `make lint`, which checks tests/ as well, when it passes on a committed tree), the .cpp files
# that include a changed header (directly or through other headers) or generated proto, and what
# the working tree changes or adds. Everything when that commit is unknown (no git, no record, not
# an ancestor of HEAD) or when .clang-tidy, the compiler flags or tools/tidy.sh changed.
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

# Headers whose content changed, then every header that includes one of them, to a fixed point:
# a change in a header can alter the verdict on any file that sees it, directly or not.
headers=()
sources=()
for file in "${changed[@]}"; do
  [[ -f $file ]] || continue
  case $file in
    src/*.cpp) sources+=("$file") ;;
    src/*.hpp | src/*.h) headers+=("${file#src/}") ;;
    proto/*.proto)
      # The generated messages and stubs, included as "gomall/v1/<name>.pb.h" or ".grpc.pb.h".
      stem=${file#proto/}
      headers+=("${stem%.proto}.pb.h" "${stem%.proto}.grpc.pb.h")
      ;;
  esac
done
declare -A seen=()
queue=("${headers[@]}")
while ((${#queue[@]})); do
  header=${queue[0]}
  queue=("${queue[@]:1}")
  [[ -n ${seen[$header]:-} ]] && continue
  seen[$header]=1
  while read -r includer; do
    [[ -n $includer ]] && queue+=("${includer#src/}")
  done < <(grep -rlF --include='*.hpp' --include='*.h' "#include \"$header\"" src || true)
  while read -r includer; do
    [[ -n $includer ]] && sources+=("$includer")
  done < <(grep -rlF --include='*.cpp' "#include \"$header\"" src || true)
done
((${#sources[@]})) && printf '%s\n' "${sources[@]}" | sort -u
exit 0
