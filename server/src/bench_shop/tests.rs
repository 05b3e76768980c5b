//! The shop against the Python generator it replaces (make_site.py under
//! CPython 3.11): the digests below are of that generator's output, over
//! every file's relative path, length and bytes, in path order.

use super::{Error, MIN_PAGES, Options, generate, make};
use sha2::{Digest, Sha256};
use std::path::Path;

fn files_under(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).unwrap().to_str().unwrap();
            out.push((rel.to_string(), std::fs::read(&path).unwrap()));
        }
    }
}

/// The digest and the number of files.
fn digest(mut files: Vec<(String, Vec<u8>)>) -> (String, usize) {
    files.sort();
    let mut hash = Sha256::new();
    for (rel, data) in &files {
        hash.update(rel.as_bytes());
        hash.update([0]);
        hash.update(data.len().to_string());
        hash.update([0]);
        hash.update(data);
    }
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    (hex, files.len())
}

fn options(pages: usize, base: &str, seed: u64) -> Options {
    Options {
        pages,
        base: base.into(),
        seed,
    }
}

/// In memory: writing 5,000 files would make the test as slow as the disk.
#[test]
fn the_full_size_shop_is_the_python_one() {
    let shop = generate(&options(5000, "http://127.0.0.1:8080", 1)).unwrap();
    assert_eq!(
        shop.summary(Path::new("out/")),
        "out: 5000 pages (4747 products, 10 categories, 0 guides), 22.7 MB HTML"
    );
    let files = shop
        .files
        .into_iter()
        .map(|(rel, contents)| (rel, contents.into_bytes()))
        .collect();
    assert_eq!(
        digest(files),
        (
            "ec7c73df103e8dd83bffe42c249c351c6311192dda01f19cb45b21d411407507".into(),
            5007
        )
    );
}

/// With guides, another seed and a base whose trailing slash is dropped;
/// on disk, written over another shop, whose pages must all go.
#[test]
fn a_small_shop_is_the_python_one() {
    let dir = tempfile::tempdir().unwrap();
    make(dir.path(), &options(100, "http://127.0.0.1:8080", 1)).unwrap();
    let summary = make(dir.path(), &options(300, "http://127.0.0.1:18090/", 2)).unwrap();
    let mut files = Vec::new();
    files_under(dir.path(), dir.path(), &mut files);
    assert_eq!(
        digest(files),
        (
            "8b0a0f91b32f2c43055217fda11a3b61dd1daf34015ac34435b693c8914e9235".into(),
            307
        )
    );
    assert!(
        summary.ends_with(": 300 pages (280 products, 2 categories, 1 guides), 1.2 MB HTML"),
        "{summary}"
    );
}

#[test]
fn too_few_pages_is_an_error() {
    let few = options(MIN_PAGES - 1, "http://127.0.0.1:8080", 1);
    assert!(matches!(generate(&few), Err(Error::TooFewPages(29))));
}

#[test]
fn the_summary_names_the_directory_as_pathlib_does() {
    for (given, shown) in [
        ("./out/", "out"),
        ("a//b/./c", "a/b/c"),
        ("/tmp//x/", "/tmp/x"),
        ("//net/x", "//net/x"),
        ("///x", "/x"),
        (".", "."),
        ("", "."),
    ] {
        assert_eq!(super::pathlib_str(Path::new(given)), shown, "{given:?}");
    }
}
