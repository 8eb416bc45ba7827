//! The Rust side of the demo board: what a real Tock board's main.rs holds for tockctl.
//! The Makefile does not compile it; it builds the C demo firmware in firmware/qemu_demo instead
//! (no embedded Rust target is installed on the machines tockctl's demo and tests run on).
#![no_std]
#![no_main]

mod tockctl_config;
