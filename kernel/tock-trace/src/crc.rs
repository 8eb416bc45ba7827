//! CRC-32C (Castagnoli), as used by trace protocol v1 (spec section 2.2).

/// Reflected CRC-32C polynomial.
pub const CRC32C_POLY: u32 = 0x82F6_3B78;

/// Byte-wise lookup table, computed at compile time.
const TABLE: [u32; 256] = make_table();

// Indices are loop counters bounded by the table size.
#[allow(clippy::indexing_slicing)]
const fn make_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ CRC32C_POLY
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

/// Incremental CRC-32C: init 0xFFFFFFFF, reflected, final XOR 0xFFFFFFFF.
#[derive(Clone, Copy, Debug)]
pub struct Crc32c {
    state: u32,
}

impl Crc32c {
    /// Starts a new checksum.
    pub const fn new() -> Self {
        Crc32c { state: 0xFFFF_FFFF }
    }

    /// Feeds one byte.
    pub fn update_byte(&mut self, byte: u8) {
        let index = (self.state as u8) ^ byte;
        // A u8 index into a 256-entry table cannot be out of bounds.
        #[allow(clippy::indexing_slicing)]
        let entry = TABLE[usize::from(index)];
        self.state = (self.state >> 8) ^ entry;
    }

    /// Feeds a slice of bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.update_byte(b);
        }
    }

    /// Returns the checksum of everything fed so far.
    pub const fn value(&self) -> u32 {
        self.state ^ 0xFFFF_FFFF
    }
}

impl Default for Crc32c {
    fn default() -> Self {
        Self::new()
    }
}

/// CRC-32C of `bytes` in one call.
pub fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = Crc32c::new();
    crc.update(bytes);
    crc.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn empty_input() {
        assert_eq!(crc32c(b""), 0);
    }

    #[test]
    fn incremental_equals_one_shot() {
        let mut crc = Crc32c::new();
        crc.update(b"1234");
        crc.update(b"56789");
        assert_eq!(crc.value(), 0xE306_9283);
    }

    #[test]
    fn table_matches_bitwise() {
        let bitwise = |data: &[u8]| {
            let mut c = 0xFFFF_FFFFu32;
            for &b in data {
                c ^= u32::from(b);
                for _ in 0..8 {
                    c = if c & 1 != 0 {
                        (c >> 1) ^ CRC32C_POLY
                    } else {
                        c >> 1
                    };
                }
            }
            !c
        };
        let data: [u8; 256] = core::array::from_fn(|i| i as u8);
        assert_eq!(crc32c(&data), bitwise(&data));
    }
}
