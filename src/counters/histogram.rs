//! A log-linear histogram of nanosecond durations over atomics: values
//! below 32 ns have their own bucket; above, each power of two is split
//! into 16 buckets, so a bucket's width is at most 1/16 of its lower bound.
//! 1 008 buckets cover the whole `u64` range with no allocation.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

const LINEAR: usize = 32;
const SUB_BITS: u32 = 4;
const SUB: usize = 1 << SUB_BITS;
/// Exponents 5..=63 after the linear part.
const BUCKETS: usize = LINEAR + (64 - 5) * SUB;

pub struct Histogram {
    count: AtomicU64,
    total_ns: AtomicU64,
    max_ns: AtomicU64,
    buckets: [AtomicU32; BUCKETS],
}

impl Histogram {
    pub const fn new() -> Histogram {
        Histogram {
            count: AtomicU64::new(0),
            total_ns: AtomicU64::new(0),
            max_ns: AtomicU64::new(0),
            buckets: [const { AtomicU32::new(0) }; BUCKETS],
        }
    }

    pub fn record(&self, ns: u64) {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.total_ns.fetch_add(ns, Ordering::Relaxed);
        self.max_ns.fetch_max(ns, Ordering::Relaxed);
        self.buckets[bucket_of(ns)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    pub fn total_ns(&self) -> u64 {
        self.total_ns.load(Ordering::Relaxed)
    }

    pub fn max_ns(&self) -> u64 {
        self.max_ns.load(Ordering::Relaxed)
    }

    /// The midpoint of the bucket holding quantile `q` (0–1), capped by the
    /// maximum seen.
    pub fn quantile_ns(&self, q: f64) -> u64 {
        let counts: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| u64::from(b.load(Ordering::Relaxed)))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (index, count) in counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                let (low, high) = bounds_of(index);
                return (low + (high - low) / 2).min(self.max_ns());
            }
        }
        self.max_ns()
    }
}

fn bucket_of(ns: u64) -> usize {
    if ns < LINEAR as u64 {
        return ns as usize;
    }
    let exponent = 63 - ns.leading_zeros(); // ≥ 5
    let sub = ((ns >> (exponent - SUB_BITS)) as usize) & (SUB - 1);
    LINEAR + (exponent as usize - 5) * SUB + sub
}

/// `[low, high]` of the values in bucket `index`.
fn bounds_of(index: usize) -> (u64, u64) {
    if index < LINEAR {
        return (index as u64, index as u64);
    }
    let exponent = (index - LINEAR) / SUB + 5;
    let sub = ((index - LINEAR) % SUB) as u64;
    let width = 1u64 << (exponent - SUB_BITS as usize);
    let low = (1u64 << exponent) + sub * width;
    (low, low.saturating_add(width - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_lands_in_a_bucket_whose_bounds_hold_it() {
        for ns in [
            0,
            1,
            31,
            32,
            33,
            47,
            48,
            100,
            1_000,
            65_535,
            1 << 40,
            u64::MAX,
        ] {
            let (low, high) = bounds_of(bucket_of(ns));
            assert!(low <= ns && ns <= high, "{ns} not in [{low}, {high}]");
            if ns >= 32 {
                assert!(
                    (high - low) as f64 <= low as f64 / 16.0,
                    "bucket too wide at {ns}"
                );
            }
        }
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn quantiles_are_within_a_sixteenth() {
        let h = Histogram::new();
        for ns in 1..=10_000u64 {
            h.record(ns * 10);
        }
        assert_eq!(h.count(), 10_000);
        assert_eq!(h.max_ns(), 100_000);
        let p50 = h.quantile_ns(0.5) as f64;
        assert!((p50 - 50_000.0).abs() <= 50_000.0 / 16.0, "{p50}");
        let p99 = h.quantile_ns(0.99) as f64;
        assert!((p99 - 99_000.0).abs() <= 99_000.0 / 16.0, "{p99}");
        assert_eq!(Histogram::new().quantile_ns(0.5), 0);
    }
}
