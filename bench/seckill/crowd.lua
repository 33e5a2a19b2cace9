-- wrk script: the flash-sale crowd. Every request is POST /api/seckill {"product_id":N} sent by the
-- next shopper of a token list, so each wrk thread walks its own share of the shoppers; every
-- answer is counted by the envelope's "code" (0 queued, 60002 sold out, 60005 limit reached, ...).
--
-- Usage: GOMALL_BENCH_TOKENS=tokens.txt GOMALL_BENCH_THREADS=2 \
--          wrk -t2 -c256 -d10s --latency -s bench/seckill/crowd.lua http://127.0.0.1:8080
--
-- Environment:
--   GOMALL_BENCH_TOKENS      file with one access token per line (gomall seed-shoppers N > file); required
--   GOMALL_BENCH_THREADS     the -t given to wrk (default 2): thread k of T takes tokens k, k+T, k+2T, ...
--   GOMALL_BENCH_PRODUCT_ID  product of the flash sale (default 1)
--   GOMALL_BENCH_PATH        request path (default /api/seckill); GOMALL_BENCH_METHOD (default POST);
--                            GOMALL_BENCH_BODY the JSON body (default {"product_id":N}).
--                            With GOMALL_BENCH_METHOD=GET no body is sent: GET /health through this
--                            script measures what the per-request Lua costs wrk itself.
--
-- done() prints, after wrk's own report, lines that bench/run-seckill-bench reads:
--   gomall-crowd: requests R, socket errors E
--   gomall-crowd: latency-us p50 A p99 B p99.9 C
--   gomall-crowd: codes 0=1000 60002=51234 http-502=3      (answers without a "code" by HTTP status)
--   gomall-crowd: last-accept-ms M                         (first request to the last code-0 answer; -1: none)
--   gomall-crowd: first-request-epoch-ms T                 (wall clock of the first request; -1: unknown)
-- The two times need LuaJIT's FFI (Debian's wrk has it); without it they are -1.

local token_file = os.getenv("GOMALL_BENCH_TOKENS")
local thread_count = tonumber(os.getenv("GOMALL_BENCH_THREADS") or "2")
local product_id = os.getenv("GOMALL_BENCH_PRODUCT_ID") or "1"
local path = os.getenv("GOMALL_BENCH_PATH") or "/api/seckill"
local method = os.getenv("GOMALL_BENCH_METHOD") or "POST"
local body_override = os.getenv("GOMALL_BENCH_BODY")

-- Monotonic milliseconds through LuaJIT's FFI (wrk's os.time() only has seconds); nil without FFI.
local now_ms = nil
do
  local ok, ffi = pcall(require, "ffi")
  if ok then
    pcall(ffi.cdef, [[
      typedef struct { long tv_sec; long tv_nsec; } gomall_bench_timespec;
      int clock_gettime(int clock_id, gomall_bench_timespec *tp);
    ]])
    local ts = ffi.new("gomall_bench_timespec")
    now_ms = function()
      ffi.C.clock_gettime(0, ts) -- CLOCK_REALTIME: epoch ms, comparable with other processes
      return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
    end
  end
end

-- Runs in wrk's main Lua state once per thread, before the thread starts: number the threads and
-- keep them, so that done() can collect what each one counted.
local threads = {}
function setup(thread)
  thread:set("thread_index", #threads) -- 0-based
  table.insert(threads, thread)
end

-- Per-thread state. Each wrk thread has its own Lua state; the three globals are read by done()
-- through thread:get(), which sees globals only.
local requests = {}  -- this thread's prepared requests, one per shopper
local next_request = 1
local verified = false
codes = {}           -- answer key -> count
first_ms = -1        -- when this thread sent its first request
last_accept_ms = -1  -- when it received its last code-0 answer

function init(args)
  if not token_file or token_file == "" then
    error("set GOMALL_BENCH_TOKENS to a file of access tokens (gomall seed-shoppers N > file)")
  end
  local file, problem = io.open(token_file, "r")
  if not file then
    error("cannot read GOMALL_BENCH_TOKENS: " .. tostring(problem))
  end
  local body = nil
  if method ~= "GET" and method ~= "HEAD" then
    body = body_override or ('{"product_id":' .. product_id .. '}')
  end
  local index = thread_index or 0
  local line_no = 0
  for line in file:lines() do
    local token = line:match("^%s*(%S+)%s*$")
    if token then
      if line_no % thread_count == index then
        local headers = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" }
        if body then
          headers["Content-Type"] = "application/json"
        end
        requests[#requests + 1] = wrk.format(method, path, headers, body)
      end
      line_no = line_no + 1
    end
  end
  file:close()
  if #requests == 0 then
    error(string.format("thread %d of %d got no tokens from %s (%d tokens)", index + 1, thread_count, token_file, line_no))
  end
end

function request()
  if thread_index == 0 and not verified then
    -- wrk calls request() once on the first thread while it sets up (to check the request), long
    -- before the run starts: that call must not start the clock.
    verified = true
  elseif first_ms < 0 and now_ms then
    first_ms = now_ms()
  end
  local r = requests[next_request]
  next_request = next_request + 1
  if next_request > #requests then
    next_request = 1
  end
  return r
end

function response(status, headers, body)
  local code = body and body:match('"code"%s*:%s*(%-?%d+)')
  local key = code or ("http-" .. status)
  codes[key] = (codes[key] or 0) + 1
  if code == "0" and now_ms then
    last_accept_ms = now_ms()
  end
end

function done(summary, latency, reqs)
  local total = {}
  local first, last = -1, -1
  for _, thread in ipairs(threads) do
    local counted = thread:get("codes")
    if counted then
      for key, n in pairs(counted) do
        total[key] = (total[key] or 0) + n
      end
    end
    local f, l = thread:get("first_ms"), thread:get("last_accept_ms")
    if f and f >= 0 and (first < 0 or f < first) then first = f end
    if l and l > last then last = l end
  end
  local keys = {}
  for key in pairs(total) do keys[#keys + 1] = key end
  table.sort(keys, function(a, b)
    local na, nb = tonumber(a), tonumber(b)
    if na and nb then return na < nb end
    if na or nb then return na ~= nil end
    return a < b
  end)
  local parts = {}
  for _, key in ipairs(keys) do parts[#parts + 1] = key .. "=" .. total[key] end

  local e = summary.errors
  io.write(string.format("gomall-crowd: requests %d, socket errors %d\n",
    summary.requests, e.connect + e.read + e.write + e.timeout))
  io.write(string.format("gomall-crowd: latency-us p50 %d p99 %d p99.9 %d\n",
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
  io.write("gomall-crowd: codes " .. (#parts > 0 and table.concat(parts, " ") or "none") .. "\n")
  local accept_ms = -1
  if first >= 0 and last >= 0 then accept_ms = last - first end
  io.write(string.format("gomall-crowd: last-accept-ms %.1f\n", accept_ms))
  io.write(string.format("gomall-crowd: first-request-epoch-ms %.1f\n", first))
end
