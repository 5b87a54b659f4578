//! Escaping text for HTML and XML: the three characters both reserve, plus what each format
//! reserves besides.

/// `s` with `&`, `<` and `>` escaped, and every character `more` names replaced by its answer.
pub(crate) fn escape(s: &str, more: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match (c, more(c)) {
            ('&', _) => out.push_str("&amp;"),
            ('<', _) => out.push_str("&lt;"),
            ('>', _) => out.push_str("&gt;"),
            (_, Some(entity)) => out.push_str(entity),
            (c, None) => out.push(c),
        }
    }
    out
}
