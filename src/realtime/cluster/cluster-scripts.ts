/**
 * Lua scripts that keep a cluster-wide counter and this instance's share of it in one atomic step,
 * so a sweep can subtract exactly what a dead instance contributed.
 */
const NOW_MS = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

export const CLUSTER_SCRIPTS = {
  /** KEYS: global hash, instance hash. ARGV: tenant, limit. 1 = acquired. */
  rtAcquire: {
    numberOfKeys: 2,
    lua: `
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if n >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return 1`,
  },
  /** KEYS: global hash, instance hash. ARGV: global field, instance field, delta. */
  rtCount: {
    numberOfKeys: 2,
    lua: `
local d = tonumber(ARGV[3])
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], d)
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
local m = redis.call('HINCRBY', KEYS[2], ARGV[2], d)
if m <= 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
return n`,
  },
  /** KEYS: members hash, info hash, instance presence set. ARGV: user, info JSON, set entry. 1 = new in the cluster. */
  rtJoin: {
    numberOfKeys: 3,
    lua: `
if redis.call('SADD', KEYS[3], ARGV[3]) == 0 then return 0 end
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if n == 1 then return 1 end
return 0`,
  },
  /** KEYS: members hash, info hash, instance presence set. ARGV: user, set entry. 1 = gone from the cluster. */
  rtLeave: {
    numberOfKeys: 3,
    lua: `
if redis.call('SREM', KEYS[3], ARGV[2]) == 0 then return 0 end
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 1
end
return 0`,
  },
  /** KEYS: instances zset. ARGV: id. Returns 1 when the instance was registered before this beat. */
  rtHeartbeat: {
    numberOfKeys: 1,
    lua: `
${NOW_MS}
local existed = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now, ARGV[1])
if existed then return 1 end
return 0`,
  },
  /** KEYS: instances zset. ARGV: ttl ms. The ids whose heartbeat is older than the ttl. */
  rtDead: {
    numberOfKeys: 1,
    lua: `
${NOW_MS}
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[1])))`,
  },
  /**
   * KEYS: instances zset, global conns hash, instance conns, instance occ, instance pres.
   * ARGV: id, ttl ms (-1 = unconditionally: our own shutdown), occupancy prefix, members prefix, info prefix.
   * Subtracts the instance's shares, deletes its keys and returns {tenant, channel, user, ...} for the
   * presence members that no other instance holds. Does nothing if the instance beat meanwhile.
   */
  rtReap: {
    numberOfKeys: 5,
    lua: `
${NOW_MS}
local ttl = tonumber(ARGV[2])
local beat = redis.call('ZSCORE', KEYS[1], ARGV[1])
if ttl >= 0 and beat and tonumber(beat) >= now - ttl then return {} end
local conns = redis.call('HGETALL', KEYS[3])
for i = 1, #conns, 2 do
  local n = redis.call('HINCRBY', KEYS[2], conns[i], -tonumber(conns[i + 1]))
  if n <= 0 then redis.call('HDEL', KEYS[2], conns[i]) end
end
local occ = redis.call('HGETALL', KEYS[4])
for i = 1, #occ, 2 do
  local sep = string.find(occ[i], '\\n', 1, true)
  local key = ARGV[3] .. string.sub(occ[i], 1, sep - 1)
  local channel = string.sub(occ[i], sep + 1)
  local n = redis.call('HINCRBY', key, channel, -tonumber(occ[i + 1]))
  if n <= 0 then redis.call('HDEL', key, channel) end
end
local removed = {}
local pres = redis.call('SMEMBERS', KEYS[5])
for i = 1, #pres do
  local a = string.find(pres[i], '\\n', 1, true)
  local b = string.find(pres[i], '\\n', a + 1, true)
  local tenant = string.sub(pres[i], 1, a - 1)
  local channel = string.sub(pres[i], a + 1, b - 1)
  local user = string.sub(pres[i], b + 1)
  local suffix = tenant .. ':' .. channel
  local n = redis.call('HINCRBY', ARGV[4] .. suffix, user, -1)
  if n <= 0 then
    redis.call('HDEL', ARGV[4] .. suffix, user)
    redis.call('HDEL', ARGV[5] .. suffix, user)
    table.insert(removed, tenant)
    table.insert(removed, channel)
    table.insert(removed, user)
  end
end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
redis.call('ZREM', KEYS[1], ARGV[1])
return removed`,
  },
} as const;

export type ClusterScriptName = keyof typeof CLUSTER_SCRIPTS;
