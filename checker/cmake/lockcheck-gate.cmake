# The gate of lockcheck_add_check(): shows a text report, fails on findings unless REPORT_ONLY.
file(STRINGS "${STATUS}" status LIMIT_COUNT 1)
if(FORMAT STREQUAL "text")
  file(READ "${OUTPUT}" report)
  message("${report}")
endif()
if(status EQUAL 1 AND FAIL_ON_FINDINGS)
  message(FATAL_ERROR "lockcheck: findings; report: ${OUTPUT}")
endif()
