-- wrk script: GET of many paths in turn (one a line in the file GOMALL_BENCH_PATHS), so that a
-- cached endpoint is measured over many cache keys, not one hot key.
-- Usage: GOMALL_BENCH_PATHS=paths.txt wrk -t2 -c64 -d10s --latency -s bench/wrk/rotate.lua http://127.0.0.1:8080
-- Every request is formatted once in init(); request() only picks the next one. Thread k of T
-- starts k/T of the way through the list, so threads do not ask for the same key at the same time.
-- The request() hook still costs wrk some time per request: compare with /health through this
-- script (a file holding "/health") as well as with plain /health.

local file = os.getenv("GOMALL_BENCH_PATHS")
local next_thread = 0

function setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end

local requests = {}
local count = 0
local position = 0

function init(args)
  assert(file, "set GOMALL_BENCH_PATHS to a file of request paths")
  for line in io.lines(file) do
    if line ~= "" then
      count = count + 1
      requests[count] = wrk.format("GET", line, { ["Accept"] = "application/json" })
    end
  end
  assert(count > 0, "no paths in " .. file)
  local threads = tonumber(os.getenv("GOMALL_BENCH_THREADS") or "1")
  position = math.floor(count * (thread_index or 0) / math.max(threads, 1)) % count
end

function request()
  position = position % count + 1
  return requests[position]
end

function done(summary, latency, requests_done)
  local e = summary.errors
  io.write(string.format("gomall-bench: %s requests, non-2xx/3xx %d, socket errors %d\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
