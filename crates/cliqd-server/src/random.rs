//! The random bytes behind the ids the server makes itself and shows in replies (form session
//! ids, call ids, incoming-webhook request ids): from the system's generator, or in a seeded
//! dev run (`cliqd serve --dev --seed N`) from a generator seeded with N, so the same requests
//! get the same ids; a restore or reset ([`Random::restart`]) starts that sequence again.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Mutex;

pub struct Random {
    seed: Option<u64>,
    seeded: Mutex<Option<StdRng>>,
}

impl Random {
    pub fn new(seed: Option<u64>) -> Random {
        Random {
            seed,
            seeded: Mutex::new(seed.map(StdRng::seed_from_u64)),
        }
    }

    /// 16 random bytes.
    pub fn bytes16(&self) -> [u8; 16] {
        if let Ok(mut guard) = self.seeded.lock()
            && let Some(rng) = guard.as_mut()
        {
            return rng.random();
        }
        rand::random()
    }

    /// Starts a seeded sequence again (the store's content was replaced).
    pub fn restart(&self) {
        if let Ok(mut guard) = self.seeded.lock() {
            *guard = self.seed.map(StdRng::seed_from_u64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_repeats_and_restarts() {
        let (a, b) = (Random::new(Some(5)), Random::new(Some(5)));
        let first = a.bytes16();
        assert_eq!(first, b.bytes16());
        assert_ne!(a.bytes16(), first);
        a.restart();
        assert_eq!(a.bytes16(), first);
        assert_ne!(Random::new(None).bytes16(), Random::new(None).bytes16());
    }
}
