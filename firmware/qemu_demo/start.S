/* Reset entry of the demo firmware, linked at 0x80000000 (where QEMU's virt
 * reset vector jumps for -bios, and where GDB `load` sets the pc).
 * Hart 0 sets up gp, sp and the trap vector, copies .data from flash to RAM,
 * clears .bss and calls main(); other harts park. */
    .section .text.start, "ax"
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park

    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      t0, trap_entry
    csrw    mtvec, t0
    csrw    mie, zero

    la      a0, __data_load
    la      a1, __data_start
    la      a2, __data_end
copy_data:
    bgeu    a1, a2, clear_bss
    lw      t0, 0(a0)
    sw      t0, 0(a1)
    addi    a0, a0, 4
    addi    a1, a1, 4
    j       copy_data

clear_bss:
    la      a1, __bss_start
    la      a2, __bss_end
clear_loop:
    bgeu    a1, a2, run
    sw      zero, 0(a1)
    addi    a1, a1, 4
    j       clear_loop

run:
    call    main
park:
    wfi
    j       park

/* Interrupts stay globally disabled, so only an exception gets here: stop. */
    .balign 4
trap_entry:
    wfi
    j       trap_entry
