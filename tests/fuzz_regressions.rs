//! Every input that once made a fuzz target fail, replayed through the same entry points
//! (`fuzz/src/lib.rs`, included here) in the normal test build: `fuzz/regressions/<target>/`
//! holds them, one file each, named after what they broke. The bundled real captures go
//! through the capture-reading targets too, so that the harness itself is known to run.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::path::{Path, PathBuf};

fn files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_regression_input_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for (name, target) in harness::TARGETS {
        for file in files(&root.join(name)) {
            let data = std::fs::read(&file).expect("a regression input");
            println!("{name}: {}", file.display());
            target(&data);
            replayed += 1;
        }
    }
    // Every folder is a target's: a misspelt one would be silently skipped.
    for folder in std::fs::read_dir(&root)
        .expect("fuzz/regressions")
        .flatten()
    {
        let folder = folder.file_name();
        let folder = folder.to_string_lossy();
        assert!(
            harness::TARGETS.iter().any(|(name, _)| *name == folder),
            "fuzz/regressions/{folder} is no target's"
        );
    }
    println!("{replayed} regression inputs replayed");
}

#[test]
fn real_captures_pass_the_capture_targets() {
    let captures = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let all = files(&captures);
    assert!(!all.is_empty());
    for file in all {
        let data = std::fs::read(&file).expect("a capture");
        harness::capture_reader(&data);
        harness::pipeline(&data);
        // Each capture cut short at a few places, as a truncated download would be.
        for cut in [data.len() / 3, data.len() / 2 + 7] {
            harness::capture_reader(&data[..cut]);
            harness::pipeline(&data[..cut]);
        }
    }
}
