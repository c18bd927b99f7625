# Shared by the command-line tests: sourced after `tmp` is set.
failures=0
check() { # name, condition...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}
run() { # captures stdout+stderr in $out and the exit status in $rc
  out=$("$@" 2>&1); rc=$?
}

# $bad: one blocking-under-lock finding, at bad.cpp:6:3 (usleep under 'mu').
bad="$tmp/bad.cpp"
cat > "$bad" <<'CPP'
#include <mutex>
#include <unistd.h>
std::mutex mu;
void f() {
  std::lock_guard<std::mutex> lock(mu);
  usleep(1);
}
CPP
