//! CPython's `random.Random`, as far as the shop draws from it: the same
//! seed gives the same shop as the Python generator it replaces, so the
//! figures measured on that shop stay comparable.

const N: usize = 624;
const M: usize = 397;

/// MT19937 seeded and read the way CPython 3.11's `_random` module does.
pub struct PyRandom {
    mt: [u32; N],
    index: usize,
}

impl PyRandom {
    /// `random.Random(seed)`: the integer's 32-bit words, least significant
    /// first, go to `init_by_array` (zero is the single word 0).
    pub fn new(seed: u64) -> PyRandom {
        let low = seed as u32;
        let high = (seed >> 32) as u32;
        let key: &[u32] = if high == 0 { &[low] } else { &[low, high] };
        let mut rng = PyRandom::from_word(19_650_218);
        rng.mix_in(key);
        rng
    }

    /// `init_genrand`.
    fn from_word(s: u32) -> PyRandom {
        let mut mt = [0u32; N];
        mt[0] = s;
        for i in 1..N {
            mt[i] = 1_812_433_253u32
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        PyRandom { mt, index: N }
    }

    /// The rest of `init_by_array`.
    fn mix_in(&mut self, key: &[u32]) {
        let mt = &mut self.mt;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = mt[i - 1] ^ (mt[i - 1] >> 30);
            mt[i] = (mt[i] ^ prev.wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = mt[i - 1] ^ (mt[i - 1] >> 30);
            mt[i] = (mt[i] ^ prev.wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
    }

    /// `genrand_uint32`.
    fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn twist(&mut self) {
        let mt = &mut self.mt;
        for k in 0..N {
            let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % N] & 0x7fff_ffff);
            let mag = if y & 1 == 0 { 0 } else { 0x9908_b0df };
            mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }

    /// `random()`: 53 random bits in [0, 1).
    pub fn random(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (a as f64 * 67_108_864.0 + b as f64) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for 1 <= k <= 32.
    fn bits(&mut self, k: u32) -> u32 {
        self.next_u32() >> (32 - k)
    }

    /// `_randbelow_with_getrandbits(n)`: drawing `n.bit_length()` bits (not
    /// those of n - 1) and retrying is what fixes the sequence.
    fn below(&mut self, n: usize) -> usize {
        let n = u32::try_from(n).expect("fewer than 2^32 choices");
        assert!(n > 0, "a choice among nothing");
        let k = u32::BITS - n.leading_zeros();
        loop {
            let r = self.bits(k);
            if r < n {
                return r as usize;
            }
        }
    }

    /// `choice(seq)`.
    pub fn choice<'a, T>(&mut self, seq: &'a [T]) -> &'a T {
        &seq[self.below(seq.len())]
    }

    /// `randint(a, b)`, both ends included.
    pub fn randint(&mut self, a: u32, b: u32) -> u32 {
        a + self.below((b - a + 1) as usize) as u32
    }

    /// `uniform(a, b)`.
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }
}

#[cfg(test)]
mod tests {
    use super::PyRandom;

    // The expected values come from CPython 3.11's random.Random.

    #[test]
    fn random_matches_cpython() {
        let mut rng = PyRandom::new(1);
        let got: Vec<f64> = (0..3).map(|_| rng.random()).collect();
        assert_eq!(
            got,
            [0.13436424411240122, 0.8474337369372327, 0.763774618976614]
        );
        assert_eq!(PyRandom::new(0).random(), 0.8444218515250481);
        // Two key words.
        assert_eq!(PyRandom::new((1 << 40) + 5).random(), 0.5043802970418443);
    }

    #[test]
    fn raw_words_match_cpython_across_twists() {
        let mut rng = PyRandom::new(1);
        let first: Vec<u32> = (0..3).map(|_| rng.next_u32()).collect();
        assert_eq!(first, [577090037, 2444712010, 3639700191]);
        for _ in 3..700 {
            rng.next_u32();
        }
        assert_eq!(rng.next_u32(), 1357504633);
    }

    #[test]
    fn randint_choice_and_uniform_match_cpython() {
        let mut rng = PyRandom::new(42);
        let ints: Vec<u32> = (0..5).map(|_| rng.randint(4, 499)).collect();
        assert_eq!(ints, [331, 61, 16, 383, 144]);
        let letters: Vec<char> = "abcdefghijklmnop".chars().collect();
        let picked: String = (0..5).map(|_| *rng.choice(&letters)).collect();
        assert_eq!(picked, "hhedc");
        assert_eq!(rng.uniform(1.0, 5.0), 3.3619700497961587);
    }
}
