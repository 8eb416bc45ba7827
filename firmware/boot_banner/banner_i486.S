/* A Multiboot v1 kernel for QEMU's q35 machine with a 486 CPU: QEMU's -kernel enters _start in
   32-bit protected mode; it prints BANNER on COM1 (16550 at I/O port 0x3f8) forever. */
#define MULTIBOOT_MAGIC 0x1BADB002
#define MULTIBOOT_FLAGS 0

  .section .multiboot, "a"
  .align 4
  .long MULTIBOOT_MAGIC
  .long MULTIBOOT_FLAGS
  .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

  .text
  .code32
  .globl _start
_start:
  cli
  mov   $0x3f8, %dx
line:
  mov   $banner, %esi
next_char:
  movb  (%esi), %al
  test  %al, %al
  jz    pause
  outb  %al, %dx
  inc   %esi
  jmp   next_char
pause:
  mov   $2000000, %ecx
1:
  dec   %ecx
  jnz   1b
  jmp   line

  .section .rodata, "a"
banner:
  .asciz "tockctl boot banner: q35 i486 COM1 at 0x3f8\n"
