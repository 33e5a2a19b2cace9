-- wrk script: plain GET /health, the reference of the flash-sale benchmark. No request()/response()
-- hooks, so wrk sends the same prepared request as plain `wrk <url>/health`; done() only adds the
-- p99.9 that wrk --latency does not print, in the format of crowd.lua.
-- Usage: wrk -t2 -c256 -d10s --latency -s bench/seckill/health.lua http://127.0.0.1:8080

wrk.method = "GET"
wrk.path = "/health"
wrk.headers["Accept"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("gomall-crowd: requests %d, socket errors %d\n",
    summary.requests, e.connect + e.read + e.write + e.timeout))
  io.write(string.format("gomall-crowd: latency-us p50 %d p99 %d p99.9 %d\n",
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
  io.write(string.format("gomall-crowd: codes http-2xx/3xx=%d non-2xx/3xx=%d\n",
    summary.requests - e.status, e.status))
end
