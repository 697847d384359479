-- An evening's mix of requests (issue 21): each request is drawn by weight from the kinds below,
-- then one of that kind's prepared requests (cookie or token included) at random.
-- wrk passes the work file made by bench/mixed.sh: one request a line,
--   kind <TAB> method <TAB> path <TAB> header name <TAB> header value <TAB> body
local weights = {
  {"diary", 45}, {"grades", 15}, {"home", 10}, {"grid", 10},
  {"attendance", 8}, {"grade", 5}, {"mail", 5}, {"login", 2},
}
local work = {}
local total = 0

local function split(line)
  local out = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do out[#out + 1] = field end
  return out
end

function init(args)
  -- A second argument keeps only that kind: one kind's figures, measured the same way.
  if args[2] and args[2] ~= "" then
    for _, w in ipairs(weights) do w[2] = (w[1] == args[2]) and 1 or 0 end
  end
  for line in io.lines(args[1]) do
    local f = split(line)
    local headers = { [f[4]] = f[5] }
    if f[6] ~= "" then
      headers["Content-Type"] = f[3]:find("^/api/") and "application/json" or "application/x-www-form-urlencoded"
    end
    work[f[1]] = work[f[1]] or {}
    table.insert(work[f[1]], wrk.format(f[2], f[3], headers, f[6] ~= "" and f[6] or nil))
  end
  for _, w in ipairs(weights) do
    if w[2] > 0 and not work[w[1]] then error("no requests of kind " .. w[1]) end
    total = total + w[2]
  end
  math.randomseed(os.time() + (wrk.thread and tonumber(tostring(wrk.thread):match("0x(%x+)"), 16) or 0))
end

function request()
  local r = math.random(total)
  for _, w in ipairs(weights) do
    r = r - w[2]
    if r <= 0 then
      local list = work[w[1]]
      return list[math.random(#list)]
    end
  end
end
