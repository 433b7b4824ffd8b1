-- wrk script of scripts/bench-api's third load: one writer posting documents while readers ask.
-- Each request is POST /v1/documents with one document on a pair of the tenant (the pairs the readers
-- ask about), a new doc_ref each time, so every write changes a pair's figures. Arguments after
-- wrk's `--`: a file of `client_ref,debtor_ref,currency,amount,issue_date,due_date` lines, the write
-- key, and the pause in milliseconds after each answer (20: about 50 writes a second).
-- done() prints one machine-readable line beginning with "bench-api-writer:".

local lines = {}
local counter = 0
local pause_ms = 20

function init(args)
    local file, token = args[1], args[2]
    pause_ms = tonumber(args[3] or "20") or 20
    delay = function() return pause_ms end
    for line in io.lines(file) do
        if line ~= "" then lines[#lines + 1] = line end
    end
    if #lines == 0 then error("bench-api-writer.lua: no line in " .. file) end
    wrk.headers["Authorization"] = "Bearer " .. token
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    counter = counter + 1
    local client, debtor, currency, amount, issue, due = lines[counter % #lines + 1]:match("([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*)")
    local body = string.format(
        '{"documents": [{"doc_ref": "BW%d", "client_ref": "%s", "debtor_ref": "%s", "kind": "invoice", "currency": "%s", ' ..
        '"amount": "%s", "open_amount": "%s", "issue_date": "%s", "due_date": "%s"}]}',
        counter, client, debtor, currency, amount, amount, issue, due)
    return wrk.format("POST", "/v1/documents", nil, body)
end

function done(summary, latency, requests)
    local seconds = summary.duration / 1000000
    local errors = summary.errors
    io.write(string.format("bench-api-writer: requests=%d rps=%.2f p50_us=%d p99_us=%d non_2xx=%d\n",
        summary.requests, summary.requests / seconds, latency:percentile(50), latency:percentile(99), errors.status))
end
