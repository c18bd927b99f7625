# Runs `lockcheck link` for lockcheck_add_check() (lockcheckConfig.cmake) and records its exit
# status in STATUS. Findings (1) are the report's content; input errors (2) fail here.
string(REPLACE "|" ";" rules "${RULES}")
execute_process(COMMAND "${LOCKCHECK}" link --quiet --format "${FORMAT}" -o "${OUTPUT}" ${rules} "${FACTS}"
                RESULT_VARIABLE status)
if(NOT status MATCHES "^[01]$")
  file(REMOVE "${STATUS}")
  message(FATAL_ERROR "lockcheck link failed (exit status ${status})")
endif()
file(WRITE "${STATUS}" "${status}\n")
