//! `next` and every other return address: whatever is accepted is a path on this site.

#![no_main]

use kiwi::domain::ReturnPath;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Some(path) = ReturnPath::parse(input) {
        let path = path.as_str();
        let mut chars = path.chars();
        assert_eq!(chars.next(), Some('/'), "accepted {input:?} as {path:?}");
        assert!(
            !matches!(chars.next(), Some('/' | '\\')),
            "accepted {input:?} as {path:?}, which leaves the site"
        );
        assert!(
            !path.chars().any(char::is_control),
            "accepted {input:?} as {path:?}, which holds a control character"
        );
    }
});
