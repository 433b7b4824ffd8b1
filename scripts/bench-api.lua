-- wrk script of scripts/bench-api: GET /v1/debtors/<ref>/exposure?as_of=<date> with an API key,
-- each wrk thread rotating through a file of debtor references.
-- Arguments after wrk's `--`: the references file (one a line), the API token, the as-of date, and
-- optionally a pause in milliseconds that each connection waits after an answer before its next
-- request (a paced run, at a rate below the server's most).
-- done() prints one machine-readable line beginning with "bench-api:".

local paths = {}
local next_path = 0
local thread_count = 0
local pause_ms = 0

-- Runs in wrk's main state, once per thread: numbers the threads (a global of each thread's state).
function setup(thread)
    thread:set("thread_number", thread_count)
    thread_count = thread_count + 1
end

function init(args)
    local refs, token, as_of = args[1], args[2], args[3]
    pause_ms = tonumber(args[4] or "0") or 0
    -- wrk looks for delay() once, after init: defined only for a paced run.
    if pause_ms > 0 then
        delay = function() return pause_ms end
    end
    if not (refs and token and as_of) then
        error("bench-api.lua: expected arguments: REFS_FILE TOKEN AS_OF")
    end
    for ref in io.lines(refs) do
        if ref ~= "" then
            paths[#paths + 1] = "/v1/debtors/" .. ref .. "/exposure?as_of=" .. as_of
        end
    end
    if #paths == 0 then
        error("bench-api.lua: no debtor reference in " .. refs)
    end
    wrk.headers["Authorization"] = "Bearer " .. token
    -- Threads start at different places in the list.
    next_path = ((thread_number or 0) * 7919) % #paths
end

function request()
    next_path = next_path % #paths + 1
    return wrk.format("GET", paths[next_path])
end

function done(summary, latency, requests)
    local seconds = summary.duration / 1000000
    local errors = summary.errors
    io.write(string.format(
        "bench-api: requests=%d seconds=%.3f rps=%.2f p50_us=%d p99_us=%d non_2xx=%d socket_errors=%d\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50), latency:percentile(99),
        errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
