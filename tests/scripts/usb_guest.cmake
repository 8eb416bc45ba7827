# tests/usb/: tockctl's USB paths through a real Linux USB stack (dummy_hcd + FunctionFS gadget)
# in a QEMU guest built from Debian packages (docs/usb-testing.md). usb.guest builds and boots the
# guest once (a fixture) and fails only when the guest does not report every check; usb.<check>
# then passes or fails with that check's line. All skip (77) when the packages cannot be had.
find_program(TOCKCTL_USB_PYTHON3 NAMES python3)
set(TOCKCTL_USB_CHECKS devices_json devices_table trace_decode unplug_no_reconnect reconnect busy
                       permission_denied udev_rule_grants throughput dfuse_devices
                       dfuse_verify_mismatch dfuse_flash dfu_devices dfu_flash dfu_stall
                       dfu_runtime_devices dfu_detach_flash dfu_detach_reset_flash
                       picoboot_devices picoboot_flash picoboot_stall picoboot_rp2350_devices
                       picoboot_rp2350_flash acm_devices_json
                       acm_devices_table acm_trace_decode acm_console acm_reconnect acm_unplug)
if(TOCKCTL_USB_PYTHON3)
  set(usb_guest ${TOCKCTL_USB_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/usb/usb_guest.py
                --build-dir ${PROJECT_BINARY_DIR})
  add_test(NAME usb.guest COMMAND ${usb_guest} --tockctl $<TARGET_FILE:tockctl>
                                  --source-dir ${PROJECT_SOURCE_DIR})
  set_tests_properties(usb.guest PROPERTIES LABELS usb SKIP_RETURN_CODE 77 TIMEOUT 600 PROCESSORS 2
                                            FIXTURES_SETUP usb_guest)
  foreach(check IN LISTS TOCKCTL_USB_CHECKS)
    add_test(NAME usb.${check} COMMAND ${usb_guest} --result ${check})
    set_tests_properties(usb.${check} PROPERTIES LABELS usb SKIP_RETURN_CODE 77
                                                 FIXTURES_REQUIRED usb_guest)
  endforeach()
endif()
