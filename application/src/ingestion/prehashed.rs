//! A hasher for maps keyed by values that are already hashes.

use std::hash::Hasher;

/// A hasher for keys that are already hashes: the map below is keyed by the hash of an
/// agent's inputs, computed once per event from borrowed text.
#[derive(Debug, Default)]
pub(super) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; this keeps any other input well defined.
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
