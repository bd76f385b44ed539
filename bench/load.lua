-- wrk script for bench/run.py: cycles through the requests in the file named
-- by the BENCH_REQUESTS environment variable (one "host path" per line) and
-- prints one JSON line with latency percentiles, status counts, the SQL
-- queries counted by the server (X-Query-Count) and page cache hits.

local threads = {}

-- Thread n of N sends requests n, n + N, n + 2N, ...: no two threads send the
-- same request until the list has gone round (the never-repeated searches
-- rely on it).
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  requests = {}
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local host, path = line:match("^(%S+)%s+(%S+)$")
    if host then
      table.insert(requests, wrk.format("GET", path, {
        ["Host"] = host,
        ["Accept-Encoding"] = "identity",
      }))
    end
  end
  stride = tonumber(os.getenv("BENCH_THREADS")) or 1
  position = thread_number - stride
  queries, answered, ok, hits, misses = 0, 0, 0, 0, 0
end

function request()
  position = (position + stride - 1) % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  answered = answered + 1
  if status >= 200 and status < 400 then ok = ok + 1 end
  local count = headers["X-Query-Count"] or headers["x-query-count"]
  if count then queries = queries + tonumber(count) end
  local cache = headers["X-Cache"] or headers["x-cache"]
  if cache == "HIT" then hits = hits + 1 elseif cache == "MISS" then misses = misses + 1 end
end

function done(summary, latency, requests_)
  local totals = {queries = 0, answered = 0, ok = 0, hits = 0, misses = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + thread:get(key)
    end
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "answered": %d, "ok": %d, "queries": %d, "hits": %d, "misses": %d, ' ..
    '"bytes": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.status + summary.errors.timeout,
    totals.answered, totals.ok, totals.queries, totals.hits, totals.misses, summary.bytes))
end
