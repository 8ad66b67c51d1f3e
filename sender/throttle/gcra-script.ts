// The throttle's one Lua script: every limit of a send is checked and spent in one atomic
// step on the Redis clock, so any number of sender containers share each limit exactly.
//
// Each limit (count per period) is enforced by two rules together:
// - GCRA (a token bucket kept as one timestamp, the theoretical arrival time): sends are
//   spaced one interval (period/count) apart, with a tolerance of count/100 intervals or
//   min(LATE_MS, half an interval), whichever is longer, so a caller that wakes a little
//   late does not lose its turn. The tolerance also bounds a burst (1 + tolerance/interval
//   sends, i.e. 1 below 100 a period, 1% above), and there is no window start to burst at.
// - A log of the last `count` send times (up to LOG_MAX): a send goes only if the
//   count-th last one is a full period (plus LOG_MARGIN_MS) ago, so no window of one
//   period ever holds more than `count`, however the tolerance was used. Above LOG_MAX
//   there is no log and no LATE_MS: the GCRA alone holds any window to within 1%.
// A caller turned away by GCRA also takes a place in a line (the hash field `w`): callers
// wake one interval apart instead of all at once, so a backlog costs about one Redis call
// per send, not one per waiting job per send. A caller close to its turn (within half an
// interval, at most LATE_MS) is told the exact wait without queueing, so a waiter that
// wakes a little early, or finds the schedule moved by the log, keeps its turn.
//
// KEYS: per limit, its state hash and its log list. ARGV: per limit, count and period (ms).
// Returns {1, now in µs} for "go", or {0, wait in ms} (wait ≥ 1).

/** Longest log kept per limit (a list of that many timestamps, ~20 bytes each). */
export const LOG_MAX = 100_000;

/**
 * How late a woken caller may be (timers, event-loop stalls, the round trip) and still
 * send in its turn (capped at half an interval). Without it every late wake shifts the
 * schedule and a busy container loses a few per cent of the rate.
 */
export const LATE_MS = 50;

/**
 * Extra age (at most 1% of the period) the count-th last send must have: sends start
 * exactly a period apart at the limit, but reach the relay a few ms apart more or less,
 * and the relay counts arrivals.
 */
export const LOG_MARGIN_MS = 5;

export const GCRA_SCRIPT = `
local LOG_MAX = ${LOG_MAX}
local LATE_MS = ${LATE_MS}
local LOG_MARGIN_MS = ${LOG_MARGIN_MS}
local clock = redis.call('TIME')
local nowUs = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local now = nowUs / 1000
local function fmt(x) return string.format('%.17g', x) end

local limits = {}
local denied = false
for i = 1, #KEYS / 2 do
  local count = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local l = { state = KEYS[2 * i - 1], log = KEYS[2 * i], count = count, period = period }
  l.interval = period / count
  l.logged = count <= LOG_MAX
  l.tolerance = math.floor(count / 100) * l.interval
  -- Below one interval, so two sends never leave at once: a relay connection pool sees
  -- one message at a time, and a second connection is not opened for a burst.
  if l.logged then l.tolerance = math.max(l.tolerance, math.min(LATE_MS, l.interval / 2)) end
  l.tat = math.max(tonumber(redis.call('HGET', l.state, 't')) or now, now)
  l.rateWait = l.tat - l.tolerance - now
  l.near = math.min(LATE_MS, l.interval / 2)
  l.logWait = 0
  if l.logged then
    -- The limit may have been lowered since the last send: keep only the last count.
    redis.call('LTRIM', l.log, -count, -1)
    if redis.call('LLEN', l.log) >= count then
      l.logWait = tonumber(redis.call('LINDEX', l.log, 0)) + period + math.min(LOG_MARGIN_MS, period / 100) - now
    end
  end
  if l.rateWait > 0 or l.logWait > 0 then denied = true end
  limits[i] = l
end

local function keepState(l, horizon)
  redis.call('PEXPIRE', l.state, math.ceil(horizon - now + l.period + 1000))
end

if not denied then
  for _, l in ipairs(limits) do
    l.tat = l.tat + l.interval
    redis.call('HSET', l.state, 't', fmt(l.tat))
    keepState(l, math.max(l.tat, tonumber(redis.call('HGET', l.state, 'w')) or 0))
    if l.logged then
      redis.call('RPUSH', l.log, fmt(now))
      redis.call('LTRIM', l.log, -l.count, -1)
      redis.call('PEXPIRE', l.log, math.ceil(l.period + 1000))
    end
  end
  return { 1, nowUs }
end

local wait = 0
for _, l in ipairs(limits) do
  local w = math.max(l.rateWait, l.logWait, 0)
  -- Near its turn (a woken waiter a little early, or the schedule shifted under it): the
  -- exact wait. Further off: a place at the end of the line.
  if l.rateWait > l.near then
    local wake = math.max(now + w, tonumber(redis.call('HGET', l.state, 'w')) or 0)
    redis.call('HSET', l.state, 'w', fmt(wake + l.interval))
    keepState(l, math.max(l.tat, wake + l.interval))
    w = wake - now
  end
  wait = math.max(wait, w)
end
return { 0, math.max(1, math.ceil(wait)) }
`;
