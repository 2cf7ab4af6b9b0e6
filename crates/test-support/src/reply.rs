//! [`Reply`]: what a [`TestServer`](crate::TestServer) answers an API request with.

/// What the server does with one API request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Reply {
    /// A normal answer; `Content-Length` is added. The connection stays open for the next
    /// request.
    Http {
        /// The HTTP status.
        status: u16,
        /// Headers besides `Content-Length`.
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// Close the connection without answering.
    Reset,
    /// Write these bytes as they are (a lying `Content-Length`, a bad chunk…), then close the
    /// connection.
    RawClose(Vec<u8>),
    /// Write these bytes as they are and keep the connection open, silent, until the client
    /// goes.
    RawHold(Vec<u8>),
}

impl Reply {
    /// HTTP 200 with this JSON body.
    pub fn json(body: serde_json::Value) -> Reply {
        Reply::Http {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// The API's success envelope: `{"Response": {..fields, "RequestId": rid}}`.
    pub fn ok(mut fields: serde_json::Value, rid: &str) -> Reply {
        fields["RequestId"] = rid.into();
        Reply::json(serde_json::json!({ "Response": fields }))
    }

    /// The API's error envelope (HTTP 200): `{"Response": {"Error": {code, message}, …}}`.
    pub fn error(code: &str, message: &str, rid: &str) -> Reply {
        Reply::json(serde_json::json!({
            "Response": {"Error": {"Code": code, "Message": message}, "RequestId": rid}
        }))
    }

    /// This status with an HTML body, as a gateway or a load balancer answers.
    pub fn status(status: u16, body: &str) -> Reply {
        Reply::Http {
            status,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// The same answer with one more header (no effect on the raw replies).
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Http {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Http {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}
