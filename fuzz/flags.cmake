# Compiler flags of the fuzz build (-DTOCKCTL_FUZZ=ON, included before the modules): every library
# gets libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link, added by tockctl_module
# from TOCKCTL_COVERAGE_FLAGS); the targets in fuzz/ add the libFuzzer driver (-fsanitize=fuzzer).
# The tests, the CLI and the benchmarks are not instrumented: nothing fuzzes them, and coverage
# instrumentation of GoogleTest code only costs compile time. Use with -DTOCKCTL_SANITIZE=ON (ASan + UBSan), as
# ./scripts/sanitize and ./scripts/fuzz do. See docs/fuzzing.md.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR
    "TOCKCTL_FUZZ needs clang (libFuzzer), but the C++ compiler is ${CMAKE_CXX_COMPILER_ID}. "
    "Use a separate build directory:\n"
    "  CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DTOCKCTL_FUZZ=ON -DTOCKCTL_SANITIZE=ON\n"
    "or simply run ./scripts/sanitize --build-only or ./scripts/fuzz")
endif()
if(NOT TOCKCTL_SANITIZE)
  message(WARNING "TOCKCTL_FUZZ without TOCKCTL_SANITIZE: memory errors will go unnoticed")
endif()
set(TOCKCTL_COVERAGE_FLAGS -fsanitize=fuzzer-no-link)
