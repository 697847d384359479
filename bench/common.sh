# Shared by the bench scripts (sourced, not run).

# wait_up URL: until the server at URL answers /healthz (ten seconds at most).
wait_up() {
  for _ in $(seq 1 100); do curl -fs "$1/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "the server at $1 did not start" >&2
  return 1
}

# login URL USERNAME DIR: signs in through the login form as USERNAME (password `demo`) with a
# cookie jar of its own in DIR, and prints the session cookie's value.
login() {
  local jar csrf session
  jar=$(mktemp "$3/jar.XXXXXX")
  curl -fs -c "$jar" -b "$jar" "$1/login" >/dev/null
  csrf=$(awk '$6 == "klade_csrf" { print $7 }' "$jar")
  curl -fs -c "$jar" -b "$jar" -o /dev/null \
    --data-urlencode "csrf=$csrf" --data-urlencode "username=$2" --data-urlencode "password=demo" "$1/login"
  session=$(awk '$6 == "klade_session" { print $7 }' "$jar")
  [ -n "$session" ] || { echo "login as $2 failed" >&2; return 1; }
  echo "$session"
}
