# find_package(lockcheck): the installed lockcheck and two ways to run it in your build
# (docs/cmake.md):
#  - lockcheck_add_check(): `lockcheck extract` per source as custom commands (incremental
#    through depfiles, parallel like compiles), then `lockcheck link` over the facts; any compiler;
#  - lockcheck_add_plugin(): the Clang plugin writes the facts while your targets compile, so
#    the check costs only the link; the project's C++ compiler must be the plugin's Clang.
cmake_minimum_required(VERSION 3.20)
get_filename_component(_lockcheck_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET lockcheck::lockcheck)
  add_executable(lockcheck::lockcheck IMPORTED)
  set_target_properties(lockcheck::lockcheck PROPERTIES IMPORTED_LOCATION "${_lockcheck_prefix}/bin/lockcheck")
endif()
set(LOCKCHECK_EXECUTABLE "${_lockcheck_prefix}/bin/lockcheck")
set(LOCKCHECK_PLUGIN "${_lockcheck_prefix}/lib/liblockcheck-plugin.so")
set(_lockcheck_rules_dir "${_lockcheck_prefix}/share/lockcheck/rules")
set(_lockcheck_lib_dir "${_lockcheck_prefix}/lib")
set(_lockcheck_link_script "${CMAKE_CURRENT_LIST_DIR}/lockcheck-link.cmake")
set(_lockcheck_gate_script "${CMAKE_CURRENT_LIST_DIR}/lockcheck-gate.cmake")
unset(_lockcheck_prefix)

# The arguments both functions take, checked, with FORMAT and OUTPUT defaulted: sets
# <prefix>_FORMAT and <prefix>_OUTPUT.
function(_lockcheck_check_arguments fn name prefix)
  if(${prefix}_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${fn}: unknown arguments: ${${prefix}_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ${prefix}_TARGETS)
    message(FATAL_ERROR "${fn}(${name}): TARGETS is required")
  endif()
  foreach(target IN LISTS ${prefix}_TARGETS)
    if(NOT TARGET ${target})
      message(FATAL_ERROR "${fn}(${name}): '${target}' is not a target")
    endif()
  endforeach()
  set(format "${${prefix}_FORMAT}")
  if(NOT format)
    set(format text)
  endif()
  set(extensions text txt json json sarif sarif)
  list(FIND extensions "${format}" at)
  if(at EQUAL -1 OR format STREQUAL "txt")
    message(FATAL_ERROR "${fn}(${name}): FORMAT must be text, json or sarif, not '${format}'")
  endif()
  math(EXPR at "${at} + 1")
  list(GET extensions ${at} extension)
  set(output "${${prefix}_OUTPUT}")
  if(NOT output)
    set(output "${CMAKE_CURRENT_BINARY_DIR}/${name}.${extension}")
  endif()
  set(${prefix}_FORMAT "${format}" PARENT_SCOPE)
  set(${prefix}_OUTPUT "${output}" PARENT_SCOPE)
endfunction()

# The C++ sources of <target>, absolute, in <out>.
function(_lockcheck_cxx_sources target out)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(found "")
  foreach(source IN LISTS sources)
    if(source MATCHES "\\$<" OR NOT source MATCHES "\\.(cc|cpp|cxx|c\\+\\+|C)$")
      continue()
    endif()
    get_filename_component(source "${source}" ABSOLUTE BASE_DIR "${source_dir}")
    list(APPEND found "${source}")
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

# The link and the gate of a check: <name>_report links FACTS (a directory or @LIST) and always
# succeeds, so that the build records what it depends on; <name> shows the report and fails on
# findings unless REPORT_ONLY.
function(_lockcheck_add_link name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "FACTS;FORMAT;OUTPUT;REPORT_ONLY;WORKING_DIRECTORY"
                        "LINK_ARGS;DEPENDS;TARGETS")
  list(JOIN arg_LINK_ARGS "|" link_args)
  set(status "${CMAKE_CURRENT_BINARY_DIR}/${name}.lockcheck/link.status")
  add_custom_command(
    OUTPUT "${status}" "${arg_OUTPUT}"
    COMMAND "${CMAKE_COMMAND}" "-DLOCKCHECK=$<TARGET_FILE:lockcheck::lockcheck>" "-DFACTS=${arg_FACTS}"
            "-DARGS=${link_args}" "-DFORMAT=${arg_FORMAT}" "-DOUTPUT=${arg_OUTPUT}" "-DSTATUS=${status}"
            -P "${_lockcheck_link_script}"
    DEPENDS ${arg_DEPENDS} lockcheck::lockcheck "${_lockcheck_link_script}"
    WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}"
    COMMENT "lockcheck link (${name})"
    VERBATIM)
  add_custom_target(${name}_report DEPENDS "${status}")
  if(arg_TARGETS)
    add_dependencies(${name}_report ${arg_TARGETS})
  endif()
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

# Absolute paths of the pack files behind PATHS (files, or directories of *.json) in <out>.
function(_lockcheck_pack_files out)
  set(files "")
  foreach(path IN LISTS ARGN)
    get_filename_component(path "${path}" ABSOLUTE)
    if(IS_DIRECTORY "${path}")
      file(GLOB found "${path}/*.json")
      list(APPEND files ${found})
    else()
      list(APPEND files "${path}")
    endif()
  endforeach()
  set(${out} "${files}" PARENT_SCOPE)
endfunction()

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
  _lockcheck_check_arguments(lockcheck_add_check ${name} arg)

  set(rules_args "")
  foreach(pack IN LISTS arg_RULES)
    get_filename_component(pack "${pack}" ABSOLUTE)
    list(APPEND rules_args --rules "${pack}")
  endforeach()
  _lockcheck_pack_files(pack_files ${arg_RULES})
  set(all_facts "")
  foreach(target IN LISTS arg_TARGETS)
    set(p "$<TARGET_PROPERTY:${target},")
    # The target's compile flags as the compiler would get them (usage requirements included).
    set(flags
      "$<$<BOOL:${p}CXX_STANDARD>>:-std=c++${p}CXX_STANDARD>>"
      "$<$<BOOL:${p}INCLUDE_DIRECTORIES>>:-I$<JOIN:${p}INCLUDE_DIRECTORIES>,$<SEMICOLON>-I>>"
      "$<$<BOOL:${p}COMPILE_DEFINITIONS>>:-D$<JOIN:${p}COMPILE_DEFINITIONS>,$<SEMICOLON>-D>>"
      "${p}COMPILE_OPTIONS>"
      ${arg_EXTRA_ARGS})
    _lockcheck_cxx_sources(${target} sources)
    foreach(source IN LISTS sources)
      file(RELATIVE_PATH relative "${CMAKE_SOURCE_DIR}" "${source}")
      string(REPLACE "../" "__/" relative "${relative}")
      set(facts "${CMAKE_CURRENT_BINARY_DIR}/${name}.lockcheck/${target}/${relative}.lcfacts")
      get_filename_component(facts_dir "${facts}" DIRECTORY)
      # The extract sees the packs the link sees: a lock type from RULES is recognised there.
      add_custom_command(
        OUTPUT "${facts}"
        COMMAND "${CMAKE_COMMAND}" -E make_directory "${facts_dir}"
        COMMAND lockcheck::lockcheck extract "${source}" -o "${facts}" --depfile "${facts}.d" --quiet ${rules_args}
                -- ${flags}
        DEPENDS "${source}" lockcheck::lockcheck ${pack_files}
        DEPFILE "${facts}.d"
        WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
        COMMENT "lockcheck extract ${relative}"
        COMMAND_EXPAND_LISTS VERBATIM)
      list(APPEND all_facts "${facts}")
    endforeach()
  endforeach()

  # One facts path a line (`link @LIST`): a large target's paths exceed ARG_MAX.
  set(facts_list "${CMAKE_CURRENT_BINARY_DIR}/${name}.lockcheck/facts.list")
  list(JOIN all_facts "\n" facts_lines)
  file(GENERATE OUTPUT "${facts_list}" CONTENT "${facts_lines}\n")
  _lockcheck_add_link(${name} FACTS "@${facts_list}" FORMAT "${arg_FORMAT}" OUTPUT "${arg_OUTPUT}"
    REPORT_ONLY "${arg_REPORT_ONLY}"
    LINK_ARGS ${rules_args} DEPENDS ${all_facts} "${facts_list}" ${pack_files}
    WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
endfunction()

# lockcheck_add_plugin(<name> TARGETS <target>...
#                      [FORMAT text|json|sarif] [OUTPUT <file>] [REPORT_ONLY]
#                      [RULES <pack>...] [CONFIG <file>] [STRICT])
# Compiles the C++ sources of the TARGETS with lockcheck's Clang plugin, which writes each
# translation unit's facts to <name>.lockcheck/facts/ in the current binary directory as it
# compiles, and adds the custom target <name> that links them (from the top source directory,
# so the report names files as `lockcheck` run there would). CONFIG defaults to the
# .lockcheck.json found upward from the current source directory; it and the packs reach
# both the plugin and the link. A change to a pack, the configuration or the plugin recompiles
# the targets (OBJECT_DEPENDS), so no facts are older than what they were made with.
# The C++ compiler must be the Clang the plugin is built for.
function(lockcheck_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "REPORT_ONLY;STRICT" "FORMAT;OUTPUT;CONFIG" "TARGETS;RULES")
  _lockcheck_check_arguments(lockcheck_add_plugin ${name} arg)

  # The plugin runs inside the compiler: only the Clang it was built for can load it.
  file(GLOB plugins "${_lockcheck_lib_dir}/liblockcheck-plugin-clang*.so")
  set(majors "")
  foreach(plugin IN LISTS plugins)
    string(REGEX REPLACE ".*-clang([0-9]+)\\.so$" "\\1" major "${plugin}")
    list(APPEND majors ${major})
  endforeach()
  string(REGEX MATCH "^[0-9]+" compiler_major "${CMAKE_CXX_COMPILER_VERSION}")
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT compiler_major IN_LIST majors)
    list(JOIN majors ", " built_for)
    message(FATAL_ERROR "lockcheck_add_plugin(${name}): lockcheck's plugin runs inside Clang ${built_for}, "
      "but this project's C++ compiler is ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION} "
      "(${CMAKE_CXX_COMPILER}). Configure with -DCMAKE_CXX_COMPILER=clang++-${built_for}, "
      "or use lockcheck_add_check(), which works with any compiler.")
  endif()

  set(config "")
  if(arg_CONFIG)
    get_filename_component(config "${arg_CONFIG}" ABSOLUTE)
  else()
    set(dir "${CMAKE_CURRENT_SOURCE_DIR}")
    while(NOT config)
      if(EXISTS "${dir}/.lockcheck.json")
        set(config "${dir}/.lockcheck.json")
      endif()
      get_filename_component(parent "${dir}" DIRECTORY)
      if(parent STREQUAL dir)
        break()
      endif()
      set(dir "${parent}")
    endwhile()
  endif()

  set(facts_dir "${CMAKE_CURRENT_BINARY_DIR}/${name}.lockcheck/facts")
  set(flags "-fplugin=${LOCKCHECK_PLUGIN}" "-fplugin-arg-lockcheck-out=${facts_dir}")
  set(link_args "")
  set(inputs "${LOCKCHECK_PLUGIN}" ${plugins})
  _lockcheck_pack_files(default_packs "${_lockcheck_rules_dir}")
  list(APPEND inputs ${default_packs})
  if(config)
    list(APPEND flags "-fplugin-arg-lockcheck-config=${config}")
    list(APPEND link_args --config "${config}")
    list(APPEND inputs "${config}")
    # Its rule_packs are inputs too: read them now, and again whenever it changes.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${config}")
    file(READ "${config}" config_text)
    string(JSON count ERROR_VARIABLE json_error LENGTH "${config_text}" rule_packs)
    if(NOT json_error AND count GREATER 0) # a bad file is the plugin's to report, naming the problem
      get_filename_component(config_dir "${config}" DIRECTORY)
      math(EXPR last "${count} - 1")
      foreach(i RANGE 0 ${last})
        string(JSON pack GET "${config_text}" rule_packs ${i})
        get_filename_component(pack "${pack}" ABSOLUTE BASE_DIR "${config_dir}")
        _lockcheck_pack_files(found "${pack}")
        list(APPEND inputs ${found})
      endforeach()
    endif()
  endif()
  foreach(pack IN LISTS arg_RULES)
    get_filename_component(pack "${pack}" ABSOLUTE)
    list(APPEND flags "-fplugin-arg-lockcheck-rules=${pack}")
    list(APPEND link_args --rules "${pack}")
    _lockcheck_pack_files(found "${pack}")
    list(APPEND inputs ${found})
  endforeach()
  if(arg_STRICT)
    list(APPEND flags "-fplugin-arg-lockcheck-strict")
  endif()

  set(objects "")
  set(objects_lines "")
  foreach(target IN LISTS arg_TARGETS)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
      message(FATAL_ERROR "lockcheck_add_plugin(${name}): '${target}' is a ${type}, which compiles nothing")
    endif()
    get_target_property(taken ${target} LOCKCHECK_PLUGIN_CHECK)
    if(taken)
      message(FATAL_ERROR "lockcheck_add_plugin(${name}): '${target}' is already compiled for lockcheck_add_plugin(${taken})")
    endif()
    set_target_properties(${target} PROPERTIES LOCKCHECK_PLUGIN_CHECK ${name})
    foreach(flag IN LISTS flags)
      target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:CXX>:${flag}>")
    endforeach()
    _lockcheck_cxx_sources(${target} sources)
    if(sources)
      set_property(SOURCE ${sources} TARGET_DIRECTORY ${target} APPEND PROPERTY OBJECT_DEPENDS ${inputs})
    endif()
    list(APPEND objects "$<TARGET_OBJECTS:${target}>")
    list(APPEND objects_lines "$<JOIN:$<TARGET_OBJECTS:${target}>,\n>")
  endforeach()

  # The link reruns when an object changes (each compile writes its object and its facts
  # together) and when the list of objects does (a source left the build).
  set(objects_list "${CMAKE_CURRENT_BINARY_DIR}/${name}.lockcheck/objects.list")
  list(JOIN objects_lines "\n" objects_lines)
  file(GENERATE OUTPUT "${objects_list}" CONTENT "${objects_lines}\n")
  _lockcheck_add_link(${name} FACTS "${facts_dir}" FORMAT "${arg_FORMAT}" OUTPUT "${arg_OUTPUT}"
    REPORT_ONLY "${arg_REPORT_ONLY}"
    LINK_ARGS ${link_args} DEPENDS ${objects} "${objects_list}" ${inputs} TARGETS ${arg_TARGETS}
    WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}")
endfunction()
