# find_package(lockcheck): the installed lockcheck and lockcheck_add_check(), which runs
# `lockcheck extract` per source as part of your build (incremental through depfiles,
# parallel like compiles) and `lockcheck link` over the facts. See docs/cmake.md.
cmake_minimum_required(VERSION 3.20)
get_filename_component(_lockcheck_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET lockcheck::lockcheck)
  add_executable(lockcheck::lockcheck IMPORTED)
  set_target_properties(lockcheck::lockcheck PROPERTIES IMPORTED_LOCATION "${_lockcheck_prefix}/bin/lockcheck")
endif()
set(LOCKCHECK_EXECUTABLE "${_lockcheck_prefix}/bin/lockcheck")
set(_lockcheck_link_script "${CMAKE_CURRENT_LIST_DIR}/lockcheck-link.cmake")
set(_lockcheck_gate_script "${CMAKE_CURRENT_LIST_DIR}/lockcheck-gate.cmake")
unset(_lockcheck_prefix)

# lockcheck_add_check(<name> TARGETS <target>...
#                     [FORMAT text|json|sarif] [OUTPUT <file>] [REPORT_ONLY]
#                     [RULES <pack>...] [EXTRA_ARGS <compiler flag>...])
# Adds the custom target <name>: one extract per C++ source of the TARGETS (with each
# target's include directories, definitions, options and C++ standard), then one link
# over all of them (cross-target analysis). The report goes to OUTPUT (default
# <name>.<txt|json|sarif> in the current binary directory) and, as text, to the console.
# Findings fail the build unless REPORT_ONLY is given.
function(lockcheck_add_check name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "REPORT_ONLY" "FORMAT;OUTPUT" "TARGETS;RULES;EXTRA_ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lockcheck_add_check: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TARGETS)
    message(FATAL_ERROR "lockcheck_add_check(${name}): TARGETS is required")
  endif()
  if(NOT arg_FORMAT)
    set(arg_FORMAT text)
  endif()
  set(extensions text txt json json sarif sarif)
  list(FIND extensions "${arg_FORMAT}" at)
  if(at EQUAL -1 OR arg_FORMAT STREQUAL "txt")
    message(FATAL_ERROR "lockcheck_add_check(${name}): FORMAT must be text, json or sarif, not '${arg_FORMAT}'")
  endif()
  math(EXPR at "${at} + 1")
  list(GET extensions ${at} extension)
  if(NOT arg_OUTPUT)
    set(arg_OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/${name}.${extension}")
  endif()

  set(all_facts "")
  foreach(target IN LISTS arg_TARGETS)
    if(NOT TARGET ${target})
      message(FATAL_ERROR "lockcheck_add_check(${name}): '${target}' is not a target")
    endif()
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    set(p "$<TARGET_PROPERTY:${target},")
    # The target's compile flags as the compiler would get them (usage requirements included).
    set(flags
      "$<$<BOOL:${p}CXX_STANDARD>>:-std=c++${p}CXX_STANDARD>>"
      "$<$<BOOL:${p}INCLUDE_DIRECTORIES>>:-I$<JOIN:${p}INCLUDE_DIRECTORIES>,$<SEMICOLON>-I>>"
      "$<$<BOOL:${p}COMPILE_DEFINITIONS>>:-D$<JOIN:${p}COMPILE_DEFINITIONS>,$<SEMICOLON>-D>>"
      "${p}COMPILE_OPTIONS>"
      ${arg_EXTRA_ARGS})
    foreach(source IN LISTS sources)
      if(source MATCHES "\\$<" OR NOT source MATCHES "\\.(cc|cpp|cxx|c\\+\\+|C)$")
        continue()
      endif()
      get_filename_component(source "${source}" ABSOLUTE BASE_DIR "${source_dir}")
      file(RELATIVE_PATH relative "${CMAKE_SOURCE_DIR}" "${source}")
      string(REPLACE "../" "__/" relative "${relative}")
      set(facts "${CMAKE_CURRENT_BINARY_DIR}/${name}.lockcheck/${target}/${relative}.lcfacts")
      get_filename_component(facts_dir "${facts}" DIRECTORY)
      add_custom_command(
        OUTPUT "${facts}"
        COMMAND "${CMAKE_COMMAND}" -E make_directory "${facts_dir}"
        COMMAND lockcheck::lockcheck extract "${source}" -o "${facts}" --depfile "${facts}.d" --quiet -- ${flags}
        DEPENDS "${source}" lockcheck::lockcheck
        DEPFILE "${facts}.d"
        WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
        COMMENT "lockcheck extract ${relative}"
        COMMAND_EXPAND_LISTS VERBATIM)
      list(APPEND all_facts "${facts}")
    endforeach()
  endforeach()

  set(rules_args "")
  foreach(pack IN LISTS arg_RULES)
    get_filename_component(pack "${pack}" ABSOLUTE)
    list(APPEND rules_args --rules "${pack}")
  endforeach()
  # One facts path a line (`link @LIST`): a large target's paths exceed ARG_MAX.
  set(facts_list "${CMAKE_CURRENT_BINARY_DIR}/${name}.lockcheck/facts.list")
  list(JOIN all_facts "\n" facts_lines)
  file(GENERATE OUTPUT "${facts_list}" CONTENT "${facts_lines}\n")
  list(JOIN rules_args "|" rules_arg)
  # Two targets: <name>_report extracts and links and always succeeds (so the build
  # system records the extracts' depfiles), <name> shows the report and is the gate.
  set(status "${CMAKE_CURRENT_BINARY_DIR}/${name}.lockcheck/link.status")
  add_custom_command(
    OUTPUT "${status}" "${arg_OUTPUT}"
    COMMAND "${CMAKE_COMMAND}" "-DLOCKCHECK=$<TARGET_FILE:lockcheck::lockcheck>" "-DFACTS=@${facts_list}"
            "-DRULES=${rules_arg}" "-DFORMAT=${arg_FORMAT}" "-DOUTPUT=${arg_OUTPUT}" "-DSTATUS=${status}"
            -P "${_lockcheck_link_script}"
    DEPENDS ${all_facts} "${facts_list}" ${arg_RULES} lockcheck::lockcheck "${_lockcheck_link_script}"
    COMMENT "lockcheck link (${name})"
    VERBATIM)
  add_custom_target(${name}_report DEPENDS "${status}")
  if(arg_REPORT_ONLY)
    set(fail 0)
  else()
    set(fail 1)
  endif()
  add_custom_target(${name}
    COMMAND "${CMAKE_COMMAND}" "-DSTATUS=${status}" "-DFORMAT=${arg_FORMAT}" "-DOUTPUT=${arg_OUTPUT}"
            "-DFAIL_ON_FINDINGS=${fail}" -P "${_lockcheck_gate_script}"
    VERBATIM)
  add_dependencies(${name} ${name}_report)
endfunction()
