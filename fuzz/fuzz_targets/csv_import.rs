//! The staff import's parser and row checks: any file gives rows or errors, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = kiwi::services::import::check_file(bytes);
});
