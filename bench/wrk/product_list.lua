-- wrk script: GET /api/product?page=1&page_size=20, the first catalogue page (a database query per request).
-- Usage: wrk -t2 -c64 -d10s --latency -s bench/wrk/product_list.lua http://127.0.0.1:8080
-- GOMALL_BENCH_QUERY replaces the query string (default "page=1&page_size=20"),
-- e.g. "page=1&page_size=20&sort=price_asc&keyword=phone".
-- The request is built once and reused, as in product_detail.lua.

local query = os.getenv("GOMALL_BENCH_QUERY") or "page=1&page_size=20"

wrk.method = "GET"
wrk.path = "/api/product?" .. query
wrk.headers["Accept"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("gomall-bench: %s requests, non-2xx/3xx %d, socket errors %d\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
