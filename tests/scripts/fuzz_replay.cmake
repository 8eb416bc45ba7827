# Fuzz replay tests, in every build (gcc included, no libFuzzer needed): each fuzz target of
# fuzz/targets.txt is linked with fuzz/replay_main.cpp into fuzz_replay_NAME, and the test
# fuzz_replay.NAME runs every seed in tests/fuzz/NAME/ and every crash regression in
# tests/fuzz/regressions/NAME/ through it once. See docs/fuzzing.md.
if(TOCKCTL_FUZZ)
  return()  # the fuzz build runs the same inputs through the libFuzzer binaries (label fuzz)
endif()
file(STRINGS ${PROJECT_SOURCE_DIR}/fuzz/targets.txt fuzz_target_lines REGEX "^[a-z]")
foreach(line IN LISTS fuzz_target_lines)
  string(REGEX REPLACE " +" ";" parts "${line}")
  list(GET parts 0 name)
  list(GET parts 1 library)
  add_executable(fuzz_replay_${name} ${PROJECT_SOURCE_DIR}/fuzz/${name}.cpp
                                     ${PROJECT_SOURCE_DIR}/fuzz/fuzz_targets.cpp
                                     ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
  target_include_directories(fuzz_replay_${name} PRIVATE ${PROJECT_SOURCE_DIR})
  # One target per executable: its `namespace TOCKCTL_UNITY_ID` is an anonymous one.
  set_target_properties(fuzz_replay_${name} PROPERTIES UNITY_BUILD OFF)
  target_compile_definitions(fuzz_replay_${name} PRIVATE TOCKCTL_UNITY_ID=)
  target_link_libraries(fuzz_replay_${name} PRIVATE ${library} tockctl_test_doubles tockctl_warnings)
  add_test(NAME fuzz_replay.${name}
           COMMAND fuzz_replay_${name} ${PROJECT_SOURCE_DIR}/tests/fuzz/${name}
                   --optional ${PROJECT_SOURCE_DIR}/tests/fuzz/regressions/${name})
  set_tests_properties(fuzz_replay.${name} PROPERTIES LABELS fuzz_replay)
endforeach()
