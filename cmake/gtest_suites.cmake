# Script mode (cmake -P), run after a test binary links: writes one ctest test per GoogleTest
# suite of BINARY to OUT, named MODULE.Suite and running `BINARY --gtest_filter=Suite.*`.
# One process per suite instead of one per test: in the sanitizer build every process start
# costs about 0.15 s of CPU (relocation, ASan's set-up, LeakSanitizer's scan at exit), which was
# most of what the unit tests cost (docs/development.md, "Build time").
#   -D BINARY=... -D MODULE=... -D PROCESSORS=... -D DATA_DIR=... -D OUT=...
execute_process(COMMAND "${BINARY}" --gtest_list_tests OUTPUT_VARIABLE listing
                RESULT_VARIABLE status TIMEOUT 60)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${BINARY} --gtest_list_tests failed (${status}); run it to see why")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(script "")
set(suite "")
foreach(line IN LISTS lines)
  # A suite line is "Suite." (typed suites add "  # TypeParam = ..."); test lines are indented.
  if(line MATCHES "^([A-Za-z_][A-Za-z0-9_/]*)\\.( .*)?$")
    set(suite "${CMAKE_MATCH_1}")
    set(count_${suite} 0)
    list(APPEND suites "${suite}")
  elseif(suite AND line MATCHES "^  [A-Za-z_]")
    math(EXPR count_${suite} "${count_${suite}} + 1")
  endif()
endforeach()
foreach(suite IN LISTS suites)
  set(name "${MODULE}.${suite}")
  # COST orders a first run (no timing history yet) longest first: more tests, more time.
  string(APPEND script
         "add_test([==[${name}]==] [==[${BINARY}]==] [==[--gtest_filter=${suite}.*]==])\n"
         "set_tests_properties([==[${name}]==] PROPERTIES LABELS ${MODULE} "
         "PROCESSORS ${PROCESSORS} COST ${count_${suite}} "
         "ENVIRONMENT [==[TOCKCTL_DATA_DIR=${DATA_DIR}]==])\n")
endforeach()
file(WRITE "${OUT}" "${script}")
