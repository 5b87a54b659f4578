//! Reading a JSON request body, with every client fault a typed error.
//!
//! Each mock maps [`BodyError`] onto its own documented envelope (E001 on the raw API, PAR-005 on
//! Connect); nothing here panics or answers 500. Depth is bounded by serde_json's recursion limit
//! (128), so a body nested 10,000 deep is an error, not a stack overflow.

use axum::http::{HeaderMap, header};
use kushki_protocol::json_tree::Doc;
use serde_json::Value;

/// Largest body a mock accepts (the raw API's biggest documented body, an ICC charge with TLV, is
/// under 3 KiB; a 500-command print job is under 64 KiB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Why a body is not a usable JSON object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// No body at all.
    #[error("the request body is empty")]
    Empty,
    /// `Content-Type` is present and is not JSON.
    #[error("Content-Type must be application/json, found `{0}`")]
    ContentType(String),
    /// Not UTF-8.
    #[error("the request body is not valid UTF-8")]
    NotUtf8,
    /// Not JSON, or nested too deep; the parser's message says where.
    #[error("the request body is not valid JSON: {0}")]
    NotJson(String),
    /// JSON, but not an object.
    #[error("the request body must be a JSON object, found {0}")]
    NotObject(&'static str),
}

/// Checks the content type and parses `bytes` as a JSON object.
pub fn json_object(headers: &HeaderMap, bytes: &[u8]) -> Result<Value, BodyError> {
    content_type(headers)?;
    parse_object(bytes)
}

/// [`json_object`] into the raw API's body representation, [`Doc`], which borrows `bytes`: the
/// same checks, the same errors.
pub fn json_doc<'a>(headers: &HeaderMap, bytes: &'a [u8]) -> Result<Doc<'a>, BodyError> {
    content_type(headers)?;
    let doc = Doc::parse(text(bytes)?).map_err(|e| BodyError::NotJson(e.to_string()))?;
    match doc {
        Doc::Object(_) => Ok(doc),
        other => Err(BodyError::NotObject(other.type_name())),
    }
}

fn content_type(headers: &HeaderMap) -> Result<(), BodyError> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or("");
        let essence = ct.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json") && !essence.ends_with("+json") {
            return Err(BodyError::ContentType(ct.chars().take(100).collect()));
        }
    }
    Ok(())
}

/// A body's text: not blank, UTF-8.
fn text(bytes: &[u8]) -> Result<&str, BodyError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(BodyError::Empty);
    }
    std::str::from_utf8(bytes).map_err(|_| BodyError::NotUtf8)
}

/// Parses `bytes` as a JSON object, without looking at headers.
pub fn parse_object(bytes: &[u8]) -> Result<Value, BodyError> {
    let value: Value =
        serde_json::from_str(text(bytes)?).map_err(|e| BodyError::NotJson(e.to_string()))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(BodyError::NotObject(kushki_protocol::money::json_type(
            &value,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn both_representations_refuse_alike() {
        let mut ct = HeaderMap::new();
        ct.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        for (h, body) in [
            (&HeaderMap::new(), &b" "[..]),
            (&HeaderMap::new(), b"\xff"),
            (&HeaderMap::new(), b"{"),
            (&HeaderMap::new(), b"[1]"),
            (&HeaderMap::new(), b"\"x\""),
            (&HeaderMap::new(), deep.as_bytes()),
            (&ct, b"{}"),
        ] {
            assert_eq!(
                json_doc(h, body).map(|d| d.to_value()),
                json_object(h, body),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(json_doc(&HeaderMap::new(), b"{}").is_ok());
    }

    #[test]
    fn every_malformed_body_is_a_typed_error() {
        let h = HeaderMap::new();
        assert_eq!(json_object(&h, b""), Err(BodyError::Empty));
        assert_eq!(json_object(&h, b"\xff\xfe"), Err(BodyError::NotUtf8));
        assert!(matches!(json_object(&h, b"{"), Err(BodyError::NotJson(_))));
        assert_eq!(json_object(&h, b"[1]"), Err(BodyError::NotObject("array")));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            json_object(&h, deep.as_bytes()),
            Err(BodyError::NotJson(_))
        ));
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(matches!(
            json_object(&h, b"{}"),
            Err(BodyError::ContentType(_))
        ));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(json_object(&h, b"{}").is_ok());
    }
}
