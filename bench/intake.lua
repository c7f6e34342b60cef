-- wrk script of bench.http_rate: intake scans, each a new batch code and Idempotency-Key.
-- wrk ... -s bench/intake.lua URL -- TOKEN TAG HARVESTED_AT SCANNED_AT
-- Prints one line: RESULT <answered> <microseconds> <p50 ms> <p99 ms> <refused>
counter, thread_id, refused = 0, 0, 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token, tag, harvested, scanned = args[1], args[2], args[3], args[4]
end

function request()
  counter = counter + 1
  local code = string.format("%s-%d-%d", tag, thread_id, counter)
  local body = string.format('{"batch_code":"%s","site_id":"yongan","farmer_id":"zhang",'
    .. '"sku":"jiuhuang","harvested_at":"%s","net_kg":100.5,"scanned_at":"%s"}',
    code, harvested, scanned)
  return wrk.format("POST", "/v1/batches", {["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json", ["Idempotency-Key"] = code}, body)
end

function response(status, headers, body)
  if status ~= 201 then refused = refused + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("refused") end
  io.write(string.format("RESULT %d %d %.3f %.3f %d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, total))
end
