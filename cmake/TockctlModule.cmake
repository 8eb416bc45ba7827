# In the sanitizer build (scripts/sanitize, what CI runs) code that only some commands run
# (kernel: code generation and memory reports; apps: TBF/TAB and placement) is compiled at -O0,
# about half the compile time of -O1 with clang, ASan, UBSan and libFuzzer coverage. Not more:
# with config, flasher and the CLI at -O0 too, every start of the tockctl binary (it reads the
# board catalog) got so much slower that the test run took 459 s instead of 346 s, more than the
# compile time saved.
function(tockctl_cold_code target)
  if(TOCKCTL_SANITIZE)
    target_compile_options(${target} PRIVATE -O0)
  endif()
endfunction()

# tockctl_module(NAME [COLD] [SHARED_PCH] DEPS ...): a static library from every .cpp in the
# current directory (COLD: see tockctl_cold_code). Sources are globbed so that modules can grow
# without editing shared build files. SHARED_PCH (unity builds only): the modules that compile with
# the same flags share one precompiled header, cmake/library_pch.h, made by the first of them.
function(tockctl_module name)
  cmake_parse_arguments(ARG "COLD;SHARED_PCH" "" "DEPS" ${ARGN})
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
  target_compile_options(${name} PRIVATE ${TOCKCTL_COVERAGE_FLAGS})  # fuzz builds only
  if(ARG_COLD)
    tockctl_cold_code(${name})
  endif()
  if(ARG_SHARED_PCH AND TOCKCTL_UNITY)
    # One owner per set of flags: a header precompiled at -O1 does not load into an -O0 file.
    set(at_o0 FALSE)
    if(ARG_COLD AND TOCKCTL_SANITIZE)
      set(at_o0 TRUE)
    endif()
    set(owner_property TOCKCTL_LIBRARY_PCH_OWNER_O0_${at_o0})
    get_property(pch_owner GLOBAL PROPERTY ${owner_property})
    if(pch_owner)
      target_precompile_headers(${name} REUSE_FROM ${pch_owner})
    else()
      target_precompile_headers(${name} PRIVATE ${PROJECT_SOURCE_DIR}/cmake/library_pch.h)
      set_property(GLOBAL PROPERTY ${owner_property} ${name})
    endif()
  endif()
endfunction()

# Test code is compiled without optimisation and without debug information, except in Debug
# builds: at -O2 -g it was two thirds of the whole compile time (a test file took 23 s of CPU
# with GCC, 8 s at -O0 -g0), while it runs no faster than the I/O it waits for. The libraries it
# tests keep the build type's flags, so the code under test is the code that ships.
function(tockctl_test_code_flags target)
  target_compile_options(${target} PRIVATE "$<$<NOT:$<CONFIG:Debug>>:-O0;-g0>")
endfunction()

# tockctl_tests(MODULE [PER_TEST] [PROCESSORS N] DEPS ...): one GoogleTest binary from
# tests/<MODULE>/*_test.cpp. PROCESSORS is how many of ctest's -j slots each of its tests takes
# (default 1): 2 for tests that keep a core busy (QEMU, tshark), so that ctest -j 2*cores never
# runs more of them at once than -j cores would (docs/development.md, "Build time").
function(tockctl_tests module)
  cmake_parse_arguments(ARG "PER_TEST" "PROCESSORS" "DEPS" ${ARGN})
  if(NOT ARG_PROCESSORS)
    set(ARG_PROCESSORS 1)
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${module}/*.cpp)
  if(NOT sources)
    return()
  endif()
  set(target ${module}_tests)
  add_executable(${target} ${sources})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} tockctl_test_support
                        GTest::gmock_main tockctl_warnings)
  # Test files define many same-named helpers, each file in its own
  # `namespace { namespace TOCKCTL_UNITY_ID {`: CMake defines TOCKCTL_UNITY_ID to a name unique to
  # the file in a unity build (UNITY_BUILD_UNIQUE_ID), so that files can share a batch; without
  # one it is empty, an anonymous namespace. A precompiled header of GoogleTest, nlohmann/json and
  # spdlog saves most of the parsing besides. GCC 12 reports known false -Warray-bounds,
  # -Wstringop-overread and -Wstringop-overflow in inlined std::string code when <string> comes
  # from a precompiled header; all three are off for the tests only.
  tockctl_test_code_flags(${target})
  if(TOCKCTL_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD_UNIQUE_ID TOCKCTL_UNITY_ID
                                               UNITY_BUILD_BATCH_SIZE 16)
    # Test doubles and support code beside the tests (fakes, peers) compile on their own.
    set(support ${sources})
    list(FILTER support EXCLUDE REGEX "_test\\.cpp$")
    set_source_files_properties(${support} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    # One precompiled header for all test binaries: the first one's (they compile with the same
    # flags), instead of about 4 s of CPU per binary.
    get_property(pch_owner GLOBAL PROPERTY TOCKCTL_TEST_PCH_OWNER)
    if(pch_owner)
      target_precompile_headers(${target} REUSE_FROM ${pch_owner})
    else()
      target_precompile_headers(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support/test_pch.h)
      set_property(GLOBAL PROPERTY TOCKCTL_TEST_PCH_OWNER ${target})
    endif()
    target_compile_options(${target} PRIVATE
                           $<$<CXX_COMPILER_ID:GNU>:-Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread>)
  else()
    target_compile_definitions(${target} PRIVATE TOCKCTL_UNITY_ID=)
  endif()
  # The module name is the label: `ctest -L cli`, `ctest -LE e2e` (docs/development.md). A
  # ctest test is a whole GoogleTest suite (MODULE.Suite, cmake/gtest_suites.cmake), except with
  # PER_TEST (the QEMU tests: each keeps a core busy, so each is its own ctest test).
  if(ARG_PER_TEST)
    gtest_discover_tests(${target} TEST_PREFIX "${module}." DISCOVERY_TIMEOUT 60
                         PROPERTIES ENVIRONMENT "TOCKCTL_DATA_DIR=${PROJECT_SOURCE_DIR}"
                                    LABELS ${module} PROCESSORS ${ARG_PROCESSORS})
  else()
    tockctl_gtest_suites(${target} ${module} ${ARG_PROCESSORS})
  endif()
endfunction()

# One ctest test per GoogleTest suite of TARGET, written after each link by
# cmake/gtest_suites.cmake into a file that ctest includes (as gtest_discover_tests does).
function(tockctl_gtest_suites target module processors)
  set(suites_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_suites.cmake")
  add_custom_command(
    TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -D BINARY=$<TARGET_FILE:${target}> -D MODULE=${module}
            -D PROCESSORS=${processors} -D DATA_DIR=${PROJECT_SOURCE_DIR} -D OUT=${suites_file}
            -P ${PROJECT_SOURCE_DIR}/cmake/gtest_suites.cmake
    BYPRODUCTS ${suites_file} VERBATIM)
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake")
  file(WRITE ${include_file}
       "if(EXISTS [==[${suites_file}]==])\n"
       "  include([==[${suites_file}]==])\n"
       "else()\n"
       "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\n"
       "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include_file})
endfunction()
