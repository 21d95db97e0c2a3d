-- wrk script: sends every request of a list exactly once, then ends the run.
--
--   wrk -t1 -c32 -d300s -s walk.lua http://127.0.0.1:PORT -- LIST
--
-- LIST has one request per line, tab-separated: PATH, COOKIE, BODY (a POST with a
-- url-encoded form). Run it with one thread (-t1): each wrk thread would walk the whole
-- list. When the last answer has arrived the script stops wrk at once, so the run is not
-- padded to -d, which is only the upper bound. The figures are printed as key=value lines:
-- the rate is measured from the first request sent to the last answer received.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } walk_timespec;
int clock_gettime(int clock, walk_timespec *tp);
int kill(int pid, int sig);
int getpid(void);
]]
local CLOCK_MONOTONIC = 1
local SIGINT = 2
local ts = ffi.new("walk_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state). Globals, so that done() can
-- read them with thread:get().
requests = {}
total = 0
next_index = 1
answered = 0
extra_sent = 0
extra_seen = 0
statuses = {}
started = nil
finished = nil
verified = false

function init(args)
  local list = args[1]
  if not list then
    error("walk.lua needs the request list: wrk ... -s walk.lua URL -- LIST")
  end
  for line in io.lines(list) do
    local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    if path then
      total = total + 1
      requests[total] = wrk.format("POST", path, {
        ["Cookie"] = cookie,
        ["Content-Type"] = "application/x-www-form-urlencoded",
      }, body)
    end
  end
  if total == 0 then
    error("the request list " .. list .. " is empty")
  end
end

-- Once the list is used up, connections wait instead of sending anything more.
function delay()
  if next_index > total then
    return 600000
  end
  return 0
end

function request()
  -- wrk calls request() once before the run to check the request; that call must not use
  -- up a line of the list.
  if not verified then
    verified = true
    return requests[1]
  end
  if next_index <= total then
    if not started then
      started = now()
    end
    local r = requests[next_index]
    next_index = next_index + 1
    return r
  end
  -- Only reached if a connection asks again after the list is used up.
  extra_sent = extra_sent + 1
  return wrk.format("GET", "/healthz", {}, nil)
end

function response(status, headers, body)
  if status == 200 and extra_seen < extra_sent then
    extra_seen = extra_seen + 1
    return
  end
  if status == 408 then
    -- The server closing a connection that has been idle since the list ran out.
    return
  end
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if answered == total then
    finished = now()
    -- Wake wrk's main thread, which otherwise sleeps until -d is over.
    ffi.C.kill(ffi.C.getpid(), SIGINT)
  end
end

function done(summary, latency, requests_stats)
  for i, thread in ipairs(threads) do
    local total_t = thread:get("total")
    local answered_t = thread:get("answered")
    local started_t = thread:get("started")
    local finished_t = thread:get("finished")
    local statuses_t = thread:get("statuses")
    local parts = {}
    for code, count in pairs(statuses_t or {}) do
      table.insert(parts, code .. ":" .. count)
    end
    table.sort(parts)
    local elapsed = 0
    if started_t and finished_t then
      elapsed = finished_t - started_t
    end
    io.write(string.format("walk_total=%d\n", total_t or 0))
    io.write(string.format("walk_answered=%d\n", answered_t or 0))
    io.write(string.format("walk_complete=%s\n", tostring(finished_t ~= nil)))
    io.write(string.format("walk_elapsed_s=%.3f\n", elapsed))
    if elapsed > 0 then
      io.write(string.format("walk_rate=%.1f\n", (answered_t or 0) / elapsed))
    end
    io.write(string.format("walk_statuses=%s\n", table.concat(parts, ",")))
  end
  io.write(string.format("wrk_socket_errors=%d\n",
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("wrk_latency_p%s_ms=%.2f\n", tostring(p), latency:percentile(p) / 1000))
  end
  io.write(string.format("wrk_latency_max_ms=%.2f\n", latency.max / 1000))
end
