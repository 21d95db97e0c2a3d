//! The lesson renderer: never panics, raw HTML is never passed through, and no link or
//! image on the page runs script.

#![no_main]

use kiwi::courses::markdown::render_lesson;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|markdown: &str| {
    let rendered = render_lesson(markdown, "de", "/courses/fuzz/files/");
    let html = rendered.html.to_ascii_lowercase();
    assert!(!html.contains("<script"), "{markdown:?} gave {html:?}");
    for value in attribute_values(&html, "href=\"")
        .chain(attribute_values(&html, "src=\""))
    {
        let url = decoded(value);
        assert!(
            !url.starts_with("javascript:") && !url.starts_with("vbscript:"),
            "{markdown:?} gave a link to {value:?}"
        );
    }
});

/// The values of one attribute, as written between its quotes.
fn attribute_values<'a>(html: &'a str, start: &'a str) -> impl Iterator<Item = &'a str> {
    html.match_indices(start).map(move |(at, _)| {
        let rest = &html[at + start.len()..];
        &rest[..rest.find('"').unwrap_or(rest.len())]
    })
}

/// What a browser makes of an attribute value: entities decoded, whitespace and control
/// characters dropped (browsers ignore them inside a scheme).
fn decoded(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if c == '&'
            && let Some(end) = rest.find(';')
        {
            let entity = &rest[1..end];
            let number = entity
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()));
            let decoded = match (entity, number) {
                (_, Some(n)) => char::from_u32(n),
                ("amp", _) => Some('&'),
                ("colon", _) => Some(':'),
                ("tab", _) => Some('\t'),
                ("newline", _) => Some('\n'),
                _ => None,
            };
            if let Some(d) = decoded {
                out.push(d);
                rest = &rest[end + 1..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}
