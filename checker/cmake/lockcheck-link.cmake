# Runs `lockcheck link` for lockcheck_add_check() (lockcheckConfig.cmake): writes the report,
# shows it, and fails on findings (exit 1) only when FAIL_ON_FINDINGS is set; input errors
# (exit 2) always fail. The stamp is written only on success, so a failed gate runs again.
string(REPLACE "|" ";" rules "${RULES}")
file(REMOVE "${STAMP}")
execute_process(COMMAND "${LOCKCHECK}" link --quiet --format "${FORMAT}" -o "${OUTPUT}" ${rules} "${FACTS}"
                RESULT_VARIABLE status)
if(FORMAT STREQUAL "text" AND EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" report)
  message("${report}")
endif()
if(NOT status MATCHES "^[01]$" OR (status EQUAL 1 AND FAIL_ON_FINDINGS))
  message(FATAL_ERROR "lockcheck link: exit status ${status}; report: ${OUTPUT}")
endif()
file(TOUCH "${STAMP}")
