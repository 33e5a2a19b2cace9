#!/usr/bin/env bash
# Formats the C++ sources with the pinned clang-format (major version 14, Debian 12).
#   tools/format.sh           rewrite files in place
#   tools/format.sh --check   change nothing; list unformatted files and exit 1 if any
# Set CLANG_FORMAT to choose the binary; it must still be version 14, because
# other versions format the same .clang-format differently.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly PINNED_MAJOR=14
check=0
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "format.sh: unknown argument '$1' (use --check)" >&2; exit 2 ;;
esac

find_clang_format() {
  if [[ -n "${CLANG_FORMAT:-}" ]]; then
    echo "$CLANG_FORMAT"
  elif command -v "clang-format-$PINNED_MAJOR" >/dev/null; then
    echo "clang-format-$PINNED_MAJOR"
  elif command -v clang-format >/dev/null; then
    echo clang-format
  else
    echo "format.sh: clang-format $PINNED_MAJOR not found (apt-get install clang-format-$PINNED_MAJOR)" >&2
    exit 2
  fi
}
cf=$(find_clang_format)

# "Debian clang-format version 14.0.6" / "clang-format version 14.0.0 (...)"
version=$("$cf" --version | sed -n 's/.*clang-format version \([0-9][0-9]*\)\..*/\1/p' | head -n1)
if [[ "$version" != "$PINNED_MAJOR" ]]; then
  echo "format.sh: $cf is version '${version:-unknown}', need major version $PINNED_MAJOR" >&2
  exit 2
fi

dirs=()
for d in src tests bench; do
  [[ -d $d ]] && dirs+=("$d")
done
((${#dirs[@]})) || exit 0

mapfile -d '' files < <(find "${dirs[@]}" -type f \( -name '*.cpp' -o -name '*.hpp' \) -print0 | sort -z)
((${#files[@]})) || exit 0

if ((check)); then
  bad=()
  for f in "${files[@]}"; do
    if ! "$cf" --style=file "$f" | cmp -s - "$f"; then
      bad+=("$f")
    fi
  done
  if ((${#bad[@]})); then
    echo "format.sh: ${#bad[@]} file(s) need formatting (run tools/format.sh):" >&2
    printf '  %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format.sh: ${#files[@]} files formatted correctly"
else
  printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$cf" --style=file -i
  echo "format.sh: formatted ${#files[@]} files"
fi
