//! The HTTP methods TC3 signs, and the `Content-Type` that goes with each.

use std::fmt;
use std::str::FromStr;

/// `Content-Type` sent with a POST request's JSON body.
pub const CONTENT_TYPE_JSON: &str = "application/json";

/// `Content-Type` sent with a GET request, whose parameters travel in the query string.
pub const CONTENT_TYPE_FORM: &str = "application/x-www-form-urlencoded";

/// The two HTTP methods Tencent Cloud API 3.0 accepts with TC3 signatures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// Parameters in a JSON body (the default and the recommended form).
    #[default]
    Post,
    /// Parameters flattened into the URL query string.
    Get,
}

impl HttpMethod {
    /// The method as it appears on the request line: `"POST"` or `"GET"`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Post => "POST",
            HttpMethod::Get => "GET",
        }
    }

    /// The `Content-Type` this crate sends for the method by default.
    pub fn default_content_type(self) -> &'static str {
        match self {
            HttpMethod::Post => CONTENT_TYPE_JSON,
            HttpMethod::Get => CONTENT_TYPE_FORM,
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HttpMethod {
    type Err = ParseHttpMethodError;

    /// Accepts `POST` or `GET` in any letter case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("POST") {
            Ok(HttpMethod::Post)
        } else if s.eq_ignore_ascii_case("GET") {
            Ok(HttpMethod::Get)
        } else {
            Err(ParseHttpMethodError(s.to_owned()))
        }
    }
}

/// Returned when a string is neither `POST` nor `GET`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseHttpMethodError(String);

impl fmt::Display for ParseHttpMethodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unsupported HTTP method {:?}: use POST or GET", self.0)
    }
}

impl std::error::Error for ParseHttpMethodError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_basics() {
        assert_eq!(HttpMethod::default(), HttpMethod::Post);
        assert_eq!(HttpMethod::Get.as_str(), "GET");
        assert_eq!(HttpMethod::Get.default_content_type(), CONTENT_TYPE_FORM);
        assert_eq!(HttpMethod::Post.default_content_type(), CONTENT_TYPE_JSON);
        assert_eq!("get".parse::<HttpMethod>().unwrap(), HttpMethod::Get);
        assert_eq!("Post".parse::<HttpMethod>().unwrap(), HttpMethod::Post);
        assert!("PUT"
            .parse::<HttpMethod>()
            .unwrap_err()
            .to_string()
            .contains("POST or GET"));
    }
}
