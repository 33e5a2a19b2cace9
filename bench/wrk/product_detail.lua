-- wrk script: GET /api/product/<id>, the product detail page (served from the product cache when hot).
-- Usage: wrk -t2 -c64 -d10s --latency -s bench/wrk/product_detail.lua http://127.0.0.1:8080
-- GOMALL_BENCH_PRODUCT_ID picks the product (default 1, which the dev demo catalogue has).
-- The request is built once and reused (no request()/response() hooks), so wrk stays as fast as
-- plain wrk and the numbers compare with the /health baseline.

local id = os.getenv("GOMALL_BENCH_PRODUCT_ID") or "1"

wrk.method = "GET"
wrk.path = "/api/product/" .. id
wrk.headers["Accept"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("gomall-bench: %s requests, non-2xx/3xx %d, socket errors %d\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
