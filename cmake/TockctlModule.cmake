# tockctl_module(NAME DEPS ...): a static library from every .cpp in the current directory.
# Sources are globbed so that modules can grow without editing shared build files.
function(tockctl_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT sources)  # a module whose code has not landed yet still links
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE tockctl_warnings)
endfunction()

# tockctl_tests(MODULE DEPS ...): one GoogleTest binary from tests/<MODULE>/*_test.cpp.
function(tockctl_tests module)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${module}/*.cpp)
  if(NOT sources)
    return()
  endif()
  set(target ${module}_tests)
  add_executable(${target} ${sources})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} tockctl_test_support
                        GTest::gmock_main tockctl_warnings)
  # Test files define many same-named helpers in their anonymous namespaces, so they are not
  # unity-built; a precompiled header of GoogleTest, nlohmann/json and spdlog saves most of the
  # parsing instead. GCC 12 reports known false -Warray-bounds, -Wstringop-overread
  # and -Wstringop-overflow in inlined std::string code when <string> comes from a precompiled
  # header; all three are off for the tests only.
  set_target_properties(${target} PROPERTIES UNITY_BUILD OFF)
  if(TOCKCTL_UNITY)
    target_precompile_headers(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support/test_pch.h)
    target_compile_options(${target} PRIVATE
                           $<$<CXX_COMPILER_ID:GNU>:-Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread>)
  endif()
  # The module name is the label: `ctest -L cli`, `ctest -LE e2e` (docs/development.md).
  gtest_discover_tests(${target} TEST_PREFIX "${module}." DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "TOCKCTL_DATA_DIR=${PROJECT_SOURCE_DIR}"
                                  LABELS ${module})
endfunction()
