# The demo firmware's sources, the one list that firmware/CMakeLists.txt, the Tock-tree Makefile
# (firmware/tock-tree/boards/qemu_rv32_virt) and the tests (tests/kernel/fixture_tree.cpp) read.
# Device-only: start-up, the board's hardware, memory.
QEMU_DEMO_TARGET_SOURCES := start.S main.c board_virt.c mem.c
# Plain C99 without hardware access: built for the device and for the host tests.
QEMU_DEMO_PORTABLE_SOURCES := trace_enc.c trace_link.c uart_pacer.c netframe.c strbuf.c sim_queue.c tock_sim.c proc_console.c demo_device.c
