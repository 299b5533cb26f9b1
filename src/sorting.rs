//! Sorting that is always compiled here, at this crate's optimization level.
//!
//! In: a mutable slice of a totally ordered type. Out: the slice in ascending order, exactly as
//! `sort_unstable` leaves it (for a total order, equal elements are indistinguishable).
//!
//! Why: the release profile builds the polars crates at `opt-level = 0` (Cargo.toml: it takes
//! about 40 % off a clean build). A crate built that way exports the generic functions it
//! instantiates, and std's sort entry points are `#[inline(never)]`, which rustc links from an
//! upstream crate that has them even when this crate is optimized: `v.sort_unstable()` on a
//! `Vec<u32>` would run polars' unoptimized copy (measured: the cluster stage twice as slow at
//! 1M rows). Sorting through a closure defined here gives an instance no other crate can have.
//! Use `unstable` instead of `sort_unstable()` (and a closure of our own instead of `sort()`) on
//! hot paths.

/// `v.sort_unstable()`, instantiated in this crate.
#[inline]
#[allow(clippy::unnecessary_sort_by)] // the closure is the point (see the module header)
pub fn unstable<T: Ord>(v: &mut [T]) {
    v.sort_unstable_by(|a, b| a.cmp(b));
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        #[allow(clippy::disallowed_methods)] // the reference it is compared with
        fn sorts_exactly_as_sort_unstable(mut v in proptest::collection::vec((0u8..8, any::<u32>()), 0..200)) {
            let mut want = v.clone();
            want.sort_unstable();
            super::unstable(&mut v);
            prop_assert_eq!(v, want);
        }
    }
}
