//! Orders that do not depend on input order or thread timing: names sorted by a packed
//! prefix of their text, and a map over all cores that keeps its results in order.

/// `f` over `items` on every core (scoped threads, contiguous chunks), results in order,
/// each written straight into its place in the one vector returned. Each thread writes its
/// own part of that vector first: the kernel provides (zeroes) its fresh pages on both
/// cores, not on one before the work starts.
pub(super) fn parallel_map<'a, T: Sync, R: Send>(
    items: &'a [T],
    f: impl Fn(&'a T) -> R + Sync,
) -> Vec<R> {
    parallel_map_from(items, 4096, f)
}

/// [`parallel_map`] for work heavy enough per item to share out from `min_items` items
/// (normalising a record: language detection and stemming take ~0.1 ms).
pub(crate) fn parallel_map_from<'a, T: Sync, R: Send>(
    items: &'a [T],
    min_items: usize,
    f: impl Fn(&'a T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < min_items.max(2) {
        return items.iter().map(&f).collect();
    }
    let mut out: Vec<R> = Vec::with_capacity(items.len());
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let slots = &mut out.spare_capacity_mut()[..items.len()];
        for (part, slots) in items.chunks(chunk).zip(slots.chunks_mut(chunk)) {
            s.spawn(move || {
                for (item, slot) in part.iter().zip(slots) {
                    slot.write(f(item));
                }
            });
        }
    });
    // SAFETY: the chunks of `items` and of the first `items.len()` slots pair up one to
    // one, and every thread wrote each slot of its chunk; `scope` returns only when all of
    // them finished, and panics (so this line is not reached) if one of them panicked: the
    // results already written are then leaked, never read or dropped twice.
    unsafe { out.set_len(items.len()) };
    out
}

/// `f` over `items` cut into one contiguous part per core (one part below 4,096 items),
/// the parts' results in order: for work whose results vary in size per item, gathered in
/// a few vectors rather than one small vector per item.
pub(super) fn parallel_parts<'a, T: Sync, R: Send>(
    items: &'a [T],
    f: impl Fn(&'a [T]) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 4096 {
        return vec![f(items)];
    }
    let f = &f;
    std::thread::scope(|s| {
        let parts: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|part| s.spawn(move || f(part)))
            .collect();
        parts
            .into_iter()
            .map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// An item with the packed prefix of its text (see [`sort_by_text`]).
pub(super) type Keyed<T> = ([u128; 2], T);

/// `items` sorted by the text `text` gives, then by `tie`. The first 32 bytes of each text,
/// packed into two integers, decide most comparisons without reading the text again (a
/// million keys sorted through their pointers is mostly cache misses).
pub(super) fn sort_by_text<'a, T>(
    items: Vec<T>,
    text: impl Fn(&T) -> &'a str,
    tie: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Vec<T> {
    let mut keyed: Vec<Keyed<T>> = items
        .into_iter()
        .map(|item| (packed_prefix(text(&item)), item))
        .collect();
    sort_keyed(&mut keyed, text, tie);
    keyed.into_iter().map(|(_, item)| item).collect()
}

/// Items with their packed prefixes, sorted by the text `text` gives, then by `tie`.
pub(super) fn sort_keyed<'a, T>(
    keyed: &mut [Keyed<T>],
    text: impl Fn(&T) -> &'a str,
    tie: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    keyed.sort_unstable_by(|(pa, a), (pb, b)| {
        pa.cmp(pb)
            .then_with(|| text(a).cmp(text(b)))
            .then_with(|| tie(a, b))
    });
}

/// The first 32 bytes of `s`, zero-padded, as two big-endian integers: two prefixes that
/// differ order as their texts do (padding sorts before any other byte, as a shorter text
/// does); equal ones say nothing.
pub(super) fn packed_prefix(s: &str) -> [u128; 2] {
    let mut bytes = [0u8; 32];
    let b = &s.as_bytes()[..s.len().min(32)];
    bytes[..b.len()].copy_from_slice(b);
    let (hi, lo) = bytes.split_at(16);
    [
        u128::from_be_bytes(hi.try_into().expect("16 bytes")),
        u128::from_be_bytes(lo.try_into().expect("16 bytes")),
    ]
}
