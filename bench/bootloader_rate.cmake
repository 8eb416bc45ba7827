# bootloader_rate: flashes over a pty paced at the line rate by the bootloader peer.
add_executable(bootloader_rate
  ${CMAKE_CURRENT_SOURCE_DIR}/bootloader_rate.cpp
  ${PROJECT_SOURCE_DIR}/tests/flasher/tock_bootloader_peer.cpp)
target_include_directories(bootloader_rate PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(bootloader_rate PRIVATE tockctl_flasher tockctl_test_doubles tockctl_warnings
                                              Threads::Threads)
