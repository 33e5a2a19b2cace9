-- wrk script: GET of one fixed path, e.g. the category list or a flash-sale activity.
-- Usage: GOMALL_BENCH_PATH=/api/category wrk -t2 -c64 -d10s --latency -s bench/wrk/get_path.lua http://127.0.0.1:8080
-- The request is built once and reused (no per-request hooks), as in product_detail.lua.

local path = os.getenv("GOMALL_BENCH_PATH") or "/health"

wrk.method = "GET"
wrk.path = path
wrk.headers["Accept"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("gomall-bench: %s requests, non-2xx/3xx %d, socket errors %d\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
