# app_install_bench: tockctl app install against another installer on the paced bootloader peer.
add_executable(app_install_bench
  ${CMAKE_CURRENT_SOURCE_DIR}/app_install_bench.cpp
  ${PROJECT_SOURCE_DIR}/tests/flasher/tock_bootloader_peer.cpp)
target_include_directories(app_install_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_definitions(app_install_bench PRIVATE TOCKCTL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(app_install_bench PRIVATE tockctl_flasher tockctl_test_doubles
                                                tockctl_warnings Threads::Threads)
