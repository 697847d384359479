-- Saves a whole lesson's attendance for the class (every student), alternating between all absent
-- and all present, so that every request really writes its cells and their history.
-- wrk passes: course id, lesson date, lesson number, the bearer token, then the student ids.
local course, date, lesson, token
local students = {}
local flip = false

function init(args)
  course, date, lesson, token = args[1], args[2], args[3], args[4]
  for i = 5, #args do students[#students + 1] = args[i] end
end

function request()
  flip = not flip
  local value = flip and "n" or ""
  local cells = {}
  for _, s in ipairs(students) do
    cells[#cells + 1] = string.format('{"key":"a:%s:%s:%s","value":"%s"}', date, lesson, s, value)
  end
  local body = '{"reason":"bench","cells":[' .. table.concat(cells, ",") .. ']}'
  return wrk.format("POST", "/api/v1/courses/" .. course .. "/cells",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
