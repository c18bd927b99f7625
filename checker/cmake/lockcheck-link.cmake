# Runs `lockcheck link` for lockcheck_add_check() and lockcheck_add_plugin()
# (lockcheckConfig.cmake) and records its exit status in STATUS. Findings (1) are the report's
# content; input errors (2) fail here. ARGS: further link options, separated by '|'.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${LOCKCHECK}" link --quiet --format "${FORMAT}" -o "${OUTPUT}" ${args} "${FACTS}"
                RESULT_VARIABLE status)
if(NOT status MATCHES "^[01]$")
  file(REMOVE "${STATUS}")
  message(FATAL_ERROR "lockcheck link failed (exit status ${status})")
endif()
file(WRITE "${STATUS}" "${status}\n")
