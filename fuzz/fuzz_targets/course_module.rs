//! The course loader: any module file, next to a valid course.toml, gives a catalog or a
//! list of problems, never a panic.

#![no_main]

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const COURSE_TOML: &str = r#"id = "fuzz"
version = "2026.1"
languages = ["de"]
pass_percent = 80
questions_per_attempt = 2
validity_months = 24

[title]
de = "Fuzz"

[summary]
de = "Ein Kurs, dessen Modul der Fuzzer schreibt."
"#;

/// The catalog folder of this process: `<tmp>/kiwi-fuzz-<pid>/fuzz/{course.toml,de/}`.
fn catalog() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kiwi-fuzz-{}", std::process::id()));
        let course = dir.join("fuzz");
        fs::create_dir_all(course.join("de")).expect("creating the course folder");
        fs::write(course.join("course.toml"), COURSE_TOML).expect("writing course.toml");
        dir
    })
}

fuzz_target!(|bytes: &[u8]| {
    let dir = catalog();
    let module = dir.join("fuzz").join("de").join("01-modul.md");
    fs::write(&module, bytes).expect("writing the module file");
    let _ = kiwi::courses::load::load_catalog(dir);
});
