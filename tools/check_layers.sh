#!/usr/bin/env bash
# Checks that #include lines respect the layering (arrows point inward):
#   core -> (nothing of ours)   domain -> core   ports -> core, domain
#   services -> core, domain, ports (and may log with spdlog)
#   ports and services may use Asio's coroutine vocabulary (awaitable, executor, co_spawn,
#   detached, use_future, and system_executor to run a port's coroutine from a thread that
#   owns no io_context): it is how a port says "this call does not block", the way a
#   std::future would; sockets, timers and Beast stay in the outer rings.
#   http -> anything but SQL and adapters;  adapters and app are outer rings.
# CMake cannot stop an include of an installed header, so this grep does. Exits 1
# listing every violation, 0 when clean. Run from anywhere; CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Headers that belong to the transport or to infrastructure.
readonly INFRA='boost/beast|boost/asio|soci/|hiredis/|amqp|rabbitmq-c/|grpcpp/|curl/|sqlite3\.h|mysql\.h|mariadb/'
# Asio headers that only name coroutines and executors (allowed in ports and services).
readonly COROUTINES='boost/asio/(awaitable|any_io_executor|system_executor|co_spawn|detached|use_future)\.hpp'
# Our outer layers.
readonly OUTER='http/|adapters/|app/|rpc/|emulator/'

# layer directory | what it may not reach (for the message) | forbidden include pattern
# (ERE, matched against the start of the included path)
rules=(
  "src/core|transport, infrastructure, logging or any other layer|($INFRA|spdlog/|$OUTER|domain/|ports/|services/)"
  "src/domain|transport, infrastructure, logging, ports or services|($INFRA|spdlog/|$OUTER|ports/|services/)"
  "src/ports|transport, infrastructure, logging or services|($INFRA|spdlog/|$OUTER|services/)"
  "src/services|transport, infrastructure, http, adapters or app|($INFRA|$OUTER)"
  "src/http|SQL or adapters|(soci/|sqlite3\.h|mysql\.h|mariadb/|adapters/|app/|emulator/)"
)

violations=()
for rule in "${rules[@]}"; do
  IFS='|' read -r dir label _ <<<"$rule"
  pattern=${rule#*|*|}
  [[ -d $dir ]] || continue
  # '#include <x>' or '#include "x"', any spacing after '#'.
  allowed='^$'
  [[ $dir == src/ports || $dir == src/services ]] && allowed="include[[:space:]]*<${COROUTINES}>"
  while IFS= read -r hit; do
    [[ -n $hit ]] && violations+=("$hit   (${dir#src/} must not include $label)")
  done < <(grep -rnE --include='*.hpp' --include='*.cpp' --include='*.h' \
             "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]${pattern}" "$dir" | grep -vE "$allowed" || true)
done

if ((${#violations[@]})); then
  echo "check_layers: ${#violations[@]} layering violation(s):" >&2
  printf '  %s\n' "${violations[@]}" >&2
  exit 1
fi
echo "check_layers: ok"
