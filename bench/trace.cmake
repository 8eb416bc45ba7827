# Trace decoder benchmarks (Google Benchmark; skipped when it is not installed). Not run by ctest
# except a tiny smoke run. Build with optimisation (scripts/build uses RelWithDebInfo):
#   cmake --build build --target tockctl_bench && build/bench/tockctl_bench
#   build/bench/tockctl_bench --rss-gib=1      # peak RSS while streaming 1 GiB
#   bench/trace_rss.sh build 1024              # peak RSS of the real tockctl trace on 1 GB
if(NOT benchmark_FOUND)
  message(STATUS "Google Benchmark not found: tockctl_bench is skipped")
  return()
endif()
add_executable(tockctl_bench ${CMAKE_CURRENT_LIST_DIR}/trace_bench.cpp)
target_link_libraries(tockctl_bench PRIVATE tockctl_tracer tockctl_trace_encoding benchmark::benchmark tockctl_warnings)
add_test(NAME bench.trace_smoke
         COMMAND tockctl_bench --stream-mib=4 --benchmark_min_time=0.01
                 --benchmark_filter=BM_Decode$)
