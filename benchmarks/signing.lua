-- wrk script for benchmarks/signing.py: every request signs with a distinct valid IIN.
--
-- Environment: BENCH_MODE = "sign" (POST /api/v1/petitions/<id>/signatures, the app) or "plain"
-- (POST /sign, benchmarks/minimal_app.py); BENCH_PETITIONS = "id:district,id:district,..." (the
-- requests rotate over them: one entry for a hot petition); BENCH_RUN = the run's number, 0-8,
-- so that no two runs (nor two threads) of one benchmark ever send the same IIN.

local W1 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
local W2 = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local function check_digit(first11)
  local sum = 0
  for i = 1, 11 do sum = sum + tonumber(first11:sub(i, i)) * W1[i] end
  local r = sum % 11
  if r == 10 then
    sum = 0
    for i = 1, 11 do sum = sum + tonumber(first11:sub(i, i)) * W2[i] end
    r = sum % 11
    if r == 10 then return nil end -- never issued
  end
  return r
end

function init(args)
  mode = os.getenv("BENCH_MODE") or "sign"
  targets = {}
  for id, district in string.gmatch(os.getenv("BENCH_PETITIONS") or "", "(%d+):(%d+)") do
    targets[#targets + 1] = {id, district}
  end
  -- One birth month per (run, thread): born 1930-1979, adults whatever the date.
  local slot = tonumber(os.getenv("BENCH_RUN") or "0") * 64 + tid
  year, month, n = 1930 + math.floor(slot / 12), 1 + slot % 12, 0
  headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}
end

local function next_iin()
  while true do
    n = n + 1
    local day = 1 + math.floor(n / 10000) % 28
    local first11 = string.format("%02d%02d%02d%d%04d", year % 100, month, day, 3 + n % 2, n % 10000)
    local digit = check_digit(first11)
    if digit then return first11 .. digit end
  end
end

function request()
  local target = targets[n % #targets + 1]
  local iin = next_iin()
  if mode == "plain" then
    return wrk.format("POST", "/sign", headers, string.format(
      '{"petition_id": %s, "district_id": %s, "iin": "%s", "full_name": "Әлия Қасымова", '
        .. '"email": "signer@example.org"}', target[1], target[2], iin))
  end
  return wrk.format("POST", "/api/v1/petitions/" .. target[1] .. "/signatures", headers,
    string.format('{"full_name": "Әлия Қасымова", "iin": "%s", "email": "signer@example.org", '
      .. '"district_id": %s, "consent": true}', iin, target[2]))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.6f, "non2xx": %d, "errors": %d, "p50_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
