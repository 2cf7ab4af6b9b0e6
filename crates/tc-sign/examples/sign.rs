//! Prints every intermediate value of a TC3 signature as one JSON object, to compare against
//! another implementation when a request fails with `AuthFailure.SignatureFailure`.
//!
//! ```text
//! cargo run -p tc-sign --example sign -- --secret-id ID --secret-key KEY --service S --host H \
//!     --action A --version V --timestamp TS [--region R] [--token T] [--method POST|GET] \
//!     [--payload STRING] [--language L] [--request-client C] [--content-type CT] [--unsigned-payload]
//! ```
//!
//! `--payload` is the JSON body for POST or the URL-encoded query string for GET (default empty).
//! Bad usage prints a message on stderr and exits with status 2.

use std::process::ExitCode;

use serde_json::{json, Map, Value};
use tc_sign::{sign, Credentials, HttpMethod, SignableBody, SigningParams};

const USAGE: &str = "usage: sign --secret-id ID --secret-key KEY --service S --host H --action A \
--version V --timestamp TS [--region R] [--token T] [--method POST|GET] [--payload STRING] \
[--language L] [--request-client C] [--content-type CT] [--unsigned-payload]";

#[derive(Default)]
struct Args {
    secret_id: Option<String>,
    secret_key: Option<String>,
    service: Option<String>,
    host: Option<String>,
    action: Option<String>,
    version: Option<String>,
    timestamp: Option<String>,
    region: Option<String>,
    token: Option<String>,
    method: Option<String>,
    payload: Option<String>,
    language: Option<String>,
    request_client: Option<String>,
    content_type: Option<String>,
    unsigned_payload: bool,
}

enum Parsed {
    Run(Box<Args>),
    Help,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut args = Args::default();
    while let Some(flag) = argv.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(Parsed::Help);
        }
        if flag == "--unsigned-payload" {
            args.unsigned_payload = true;
            continue;
        }
        // Accept both `--flag value` and `--flag=value`.
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.clone(), None),
        };
        let slot = match name.as_str() {
            "--secret-id" => &mut args.secret_id,
            "--secret-key" => &mut args.secret_key,
            "--service" => &mut args.service,
            "--host" => &mut args.host,
            "--action" => &mut args.action,
            "--version" => &mut args.version,
            "--timestamp" => &mut args.timestamp,
            "--region" => &mut args.region,
            "--token" => &mut args.token,
            "--method" => &mut args.method,
            "--payload" => &mut args.payload,
            "--language" => &mut args.language,
            "--request-client" => &mut args.request_client,
            "--content-type" => &mut args.content_type,
            _ => return Err(format!("unknown argument {flag:?}")),
        };
        let value = match inline {
            Some(v) => v,
            None => argv.next().ok_or_else(|| format!("{name} needs a value"))?,
        };
        if slot.replace(value).is_some() {
            return Err(format!("{name} given more than once"));
        }
    }
    Ok(Parsed::Run(Box::new(args)))
}

fn required<'a>(value: &'a Option<String>, flag: &str) -> Result<&'a str, String> {
    value
        .as_deref()
        .ok_or_else(|| format!("missing required {flag}"))
}

fn run(args: &Args) -> Result<Value, String> {
    let method: HttpMethod = match &args.method {
        Some(m) => m.parse().map_err(|e| format!("--method: {e}"))?,
        None => HttpMethod::Post,
    };
    let timestamp: i64 = required(&args.timestamp, "--timestamp")?
        .parse()
        .map_err(|_| "--timestamp must be a Unix time in whole seconds".to_owned())?;
    let mut creds = Credentials::new(
        required(&args.secret_id, "--secret-id")?,
        required(&args.secret_key, "--secret-key")?,
    )
    .map_err(|e| e.to_string())?;
    if let Some(token) = &args.token {
        creds = creds
            .with_token(token.as_str())
            .map_err(|e| e.to_string())?;
    }
    let payload = args.payload.as_deref().unwrap_or("");
    let (query, body) = match method {
        HttpMethod::Post => ("", payload.as_bytes()),
        HttpMethod::Get => (payload, &[][..]),
    };
    let mut builder = SigningParams::builder()
        .method(method)
        .service(required(&args.service, "--service")?)
        .host(required(&args.host, "--host")?)
        .action(required(&args.action, "--action")?)
        .version(required(&args.version, "--version")?)
        .timestamp(timestamp)
        .query(query)
        .payload(if args.unsigned_payload {
            SignableBody::UnsignedPayload
        } else {
            SignableBody::Bytes(body)
        })
        .set_region(args.region.as_deref())
        .set_language(args.language.as_deref())
        .set_request_client(args.request_client.as_deref());
    if let Some(ct) = &args.content_type {
        builder = builder.content_type(ct);
    }
    let params = builder.build().map_err(|e| e.to_string())?;

    let signed = sign(&creds, &params);
    let headers: Map<String, Value> = signed
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), Value::String(v.clone())))
        .collect();
    Ok(json!({
        "canonical_request": signed.canonical_request,
        "string_to_sign": signed.string_to_sign,
        "signature": signed.signature,
        "authorization": signed.authorization,
        "headers": headers,
    }))
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Parsed::Run(args)) => args,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("sign: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sign: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
