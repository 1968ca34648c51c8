//! The seeded random generator of a session: ChaCha8 keyed by a fixed SplitMix64 expansion
//! of the seed, written here so it can never change with a crate upgrade.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// The seeded random generator sessions use.
#[derive(Debug, Clone)]
pub struct SessionRng(ChaCha8Rng);

impl SessionRng {
    /// A generator for `seed`. The 32-byte ChaCha key is the seed expanded by SplitMix64,
    /// written here so it can never change with a crate upgrade.
    pub fn new(seed: u64) -> Self {
        let mut key = [0u8; 32];
        let mut x = seed;
        for chunk in key.chunks_mut(8) {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes());
        }
        SessionRng(ChaCha8Rng::from_seed(key))
    }

    /// A number in `0..n` (n > 0), by plain modulo of a 64-bit draw.
    pub fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }

    /// The next raw 64-bit draw.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
}
