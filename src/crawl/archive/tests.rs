//! Unit tests of the archive: packs, the one-file layout before them, leftovers, damage.

use super::*;

/// Every file under `dir`, recursively.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A body archived the way the archive did before packs: `ab/<sha>.zst`, one file each.
fn put_one_file(dir: &Path, body: &[u8]) -> String {
    let sha = Archive::hash(body);
    let sub = dir.join(&sha[..2]);
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        sub.join(format!("{sha}.zst")),
        zstd::encode_all(body, 3).unwrap(),
    )
    .unwrap();
    sha
}

#[test]
fn bodies_round_trip_by_hash_and_are_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = Archive::new(dir.path());
    let sha = a.put(b"hello archive").unwrap();
    assert_eq!(sha, Archive::hash(b"hello archive"));
    assert!(a.contains(&sha));
    assert_eq!(a.get(&sha).unwrap(), b"hello archive");
    assert_eq!(a.put(b"hello archive").unwrap(), sha);
    a.sync().unwrap();
    assert_eq!(
        a.put(b"hello archive").unwrap(),
        sha,
        "still known after the sync"
    );
    a.sync().unwrap();
    let files = walk(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(read_entries(&files[0]).len(), 1, "stored once");
    // A new run reads it back.
    let b = Archive::new(dir.path());
    assert!(b.contains(&sha));
    assert_eq!(b.get(&sha).unwrap(), b"hello archive");
}

#[test]
fn the_same_body_archived_from_many_threads_at_once_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = Archive::new(dir.path());
    let shas: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| a.put(b"User-agent: *").unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(shas.windows(2).all(|w| w[0] == w[1]));
    a.sync().unwrap();
    let files = walk(dir.path());
    assert_eq!(files.len(), 1, "no temporary file left: {files:?}");
    assert_eq!(read_entries(&files[0]).len(), 1);
}

#[test]
fn a_batch_is_one_pack_synced_once_and_the_next_batch_another() {
    let dir = tempfile::tempdir().unwrap();
    let a = Archive::new(dir.path());
    let bodies: Vec<Vec<u8>> = (0..50)
        .map(|i| format!("body {i}").repeat(i + 1).into_bytes())
        .collect();
    let shas: Vec<String> = bodies.iter().map(|b| a.put(b).unwrap()).collect();
    let before = walk(dir.path());
    assert_eq!(before.len(), 1);
    assert!(
        before[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with('.'),
        "not synced: still temporary {before:?}"
    );
    a.sync().unwrap();
    a.sync().unwrap(); // nothing new: no new pack
    a.put(b"second batch").unwrap();
    a.sync().unwrap();
    let packs = walk(dir.path());
    assert_eq!(packs.len(), 2, "{packs:?}");
    assert!(packs.iter().all(|p| is_pack(p)), "{packs:?}");
    let b = Archive::new(dir.path());
    for (sha, body) in shas.iter().zip(&bodies) {
        assert_eq!(b.get(sha).as_ref(), Some(body));
    }
    assert_eq!(
        b.get(&Archive::hash(b"second batch")).unwrap(),
        b"second batch"
    );
    // A pack is a plain zstd stream: the entries' headers are skippable frames.
    let all = zstd::decode_all(std::fs::read(&packs[0]).unwrap().as_slice()).unwrap();
    assert_eq!(all, bodies.concat());
}

#[test]
fn bodies_of_the_one_file_layout_stay_readable_and_are_not_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let sha = put_one_file(dir.path(), b"archived before packs");
    let a = Archive::new(dir.path());
    assert!(a.contains(&sha));
    assert_eq!(a.get(&sha).unwrap(), b"archived before packs");
    assert_eq!(a.put(b"archived before packs").unwrap(), sha);
    a.sync().unwrap();
    assert!(!dir.path().join(PACKS).exists(), "nothing new to pack");
    // Both layouts side by side.
    let new = a.put(b"archived in a pack").unwrap();
    a.sync().unwrap();
    let b = Archive::new(dir.path());
    assert_eq!(b.get(&sha).unwrap(), b"archived before packs");
    assert_eq!(b.get(&new).unwrap(), b"archived in a pack");
}

#[test]
fn a_batch_never_synced_is_not_archived_and_is_a_leftover() {
    let dir = tempfile::tempdir().unwrap();
    let a = Archive::new(dir.path());
    let kept = a.put(b"kept").unwrap();
    a.sync().unwrap();
    let lost = a.put(b"killed before the sync").unwrap();
    assert!(a.contains(&lost), "this process still reads its open pack");
    drop(a); // as if killed: the open pack is never synced
    let old_stray = dir.path().join(&kept[..2]).join(format!(".{kept}.1.0.tmp"));
    std::fs::create_dir_all(old_stray.parent().unwrap()).unwrap();
    std::fs::write(&old_stray, b"half").unwrap();
    let b = Archive::new(dir.path());
    assert!(!b.contains(&lost), "a temporary pack is not read");
    assert_eq!(
        b.remove_leftovers(),
        2,
        "the open pack and a one-file leftover"
    );
    assert!(!old_stray.exists());
    assert_eq!(walk(dir.path()).len(), 1);
    assert_eq!(b.get(&kept).unwrap(), b"kept");
    // Archived again by the next run.
    assert_eq!(b.put(b"killed before the sync").unwrap(), lost);
    b.sync().unwrap();
    assert_eq!(
        Archive::new(dir.path()).get(&lost).unwrap(),
        b"killed before the sync"
    );
}

#[test]
fn leftover_temporary_files_are_removed_and_bodies_kept() {
    let dir = tempfile::tempdir().unwrap();
    let a = Archive::new(dir.path());
    let sha = a.put(b"kept").unwrap();
    a.sync().unwrap();
    let stray = dir.path().join(PACKS).join(".00000000000000000001-1-0.tmp");
    std::fs::write(&stray, b"half").unwrap();
    assert_eq!(a.remove_leftovers(), 1);
    assert!(!stray.exists());
    assert_eq!(a.get(&sha).unwrap(), b"kept");
}

#[test]
fn a_corrupt_file_is_not_returned() {
    let dir = tempfile::tempdir().unwrap();
    // The one-file layout.
    let sha = put_one_file(dir.path(), b"original");
    std::fs::write(
        Archive::new(dir.path()).path_of(&sha),
        zstd::encode_all(&b"tampered"[..], 3).unwrap(),
    )
    .unwrap();
    let a = Archive::new(dir.path());
    assert_eq!(a.get(&sha), None);
    assert_eq!(a.get("00deadbeef"), None);
    // A pack whose body was changed in place.
    let packed = a.put(b"packed original").unwrap();
    a.sync().unwrap();
    let pack = walk(&dir.path().join(PACKS)).remove(0);
    let mut bytes = std::fs::read(&pack).unwrap();
    let frame = zstd::encode_all(&b"packed tampered"[..], 3).unwrap();
    let (_, offset, len) = read_entries(&pack)[0];
    assert_eq!(frame.len() as u64, len, "same length, other body");
    bytes[offset as usize..].copy_from_slice(&frame);
    std::fs::write(&pack, bytes).unwrap();
    assert_eq!(Archive::new(dir.path()).get(&packed), None);
}

#[test]
fn a_pack_cut_short_is_read_up_to_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let a = Archive::new(dir.path());
    let first = a.put(b"first body").unwrap();
    let second = a.put(&b"second body, longer".repeat(40)).unwrap();
    a.sync().unwrap();
    let pack = walk(dir.path()).remove(0);
    let len = std::fs::metadata(&pack).unwrap().len();
    File::options()
        .write(true)
        .open(&pack)
        .unwrap()
        .set_len(len - 5)
        .unwrap();
    let b = Archive::new(dir.path());
    assert_eq!(b.get(&first).unwrap(), b"first body");
    assert!(!b.contains(&second));
    assert_eq!(b.get(&second), None);
}
