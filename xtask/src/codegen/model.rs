//! The model the artefacts are generated from: the spec and overlay resolved into Rust types,
//! the role of every structure (request, answer, or both), the naming rules, and the checked
//! help lines.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;

use super::help::Help;
use super::input::{HelpFile, Overlay, Spec};
use super::text::{value_text, words};
use crate::Result;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Scalar {
    Str,
    DateTime,
    I64,
    U64,
    F64,
    Bool,
}

impl Scalar {
    fn parse(member: &str) -> Option<Scalar> {
        Some(match member {
            "string" => Scalar::Str,
            "datetime" => Scalar::DateTime,
            "int64" => Scalar::I64,
            "uint64" => Scalar::U64,
            "float" => Scalar::F64,
            "bool" => Scalar::Bool,
            _ => return None,
        })
    }
    pub(super) fn rust(self) -> &'static str {
        match self {
            Scalar::Str | Scalar::DateTime => "String",
            Scalar::I64 => "i64",
            Scalar::U64 => "u64",
            Scalar::F64 => "f64",
            Scalar::Bool => "bool",
        }
    }
    pub(super) fn wire_name(self) -> &'static str {
        match self {
            Scalar::Str => "String",
            Scalar::DateTime => "Timestamp",
            Scalar::I64 | Scalar::U64 => "Integer",
            Scalar::F64 => "Float",
            Scalar::Bool => "Boolean",
        }
    }
    pub(super) fn phrase(self) -> &'static str {
        match self {
            Scalar::Str => "a string",
            Scalar::DateTime => "a date-time string (`YYYY-MM-DD hh:mm:ss`)",
            Scalar::I64 => "a signed integer",
            Scalar::U64 => "an unsigned integer",
            Scalar::F64 => "a floating-point number",
            Scalar::Bool => "a boolean",
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub(super) enum Elem {
    Scalar(Scalar),
    Enum(String),
    Struct(String),
}

impl Elem {
    pub(super) fn rust(&self) -> String {
        match self {
            Elem::Scalar(s) => s.rust().to_string(),
            Elem::Enum(n) | Elem::Struct(n) => n.clone(),
        }
    }
}

pub(super) struct Field {
    pub(super) wire: String,
    pub(super) ident: String,
    pub(super) setter: String,
    pub(super) elem: Elem,
    pub(super) list: bool,
    /// Plain `T` rather than `Option<T>`.
    pub(super) plain: bool,
    /// Required according to the spec (for docs and the registry).
    pub(super) required: bool,
    /// Every answer carries it, according to the spec (for the registry).
    pub(super) output_required: bool,
    pub(super) nullable: bool,
    pub(super) disabled: bool,
    /// The `RequestId` of a response.
    pub(super) request_id: bool,
    /// The member is decoded from answers (its structure is an answer, inside one, or shared).
    pub(super) answer: bool,
    /// A structure shared with answers, held by a request-side structure: decoded strictly.
    pub(super) strict: bool,
    /// How `Debug` shows it.
    pub(super) redact: Redact,
}

/// How the generated `Debug` shows a member whose value is a credential.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Redact {
    /// As it is.
    No,
    /// A password: `** redacted **`.
    Whole,
    /// A download link, which may be pre-signed: scheme, host and path, and `?** redacted **`
    /// in place of the query (where a pre-signed link's signature is).
    Query,
}

impl Field {
    pub(super) fn inner_ty(&self) -> String {
        if self.list {
            format!("Vec<{}>", self.elem.rust())
        } else {
            self.elem.rust()
        }
    }
    pub(super) fn ty(&self) -> String {
        if self.plain || self.request_id {
            self.inner_ty()
        } else {
            format!("Option<{}>", self.inner_ty())
        }
    }
    pub(super) fn type_name(&self) -> String {
        let base = match &self.elem {
            Elem::Scalar(s) => s.wire_name().to_string(),
            Elem::Enum(e) => e.clone(),
            Elem::Struct(s) => s.clone(),
        };
        if self.list {
            format!("Array of {base}")
        } else {
            base
        }
    }
}

/// The members a paged action pages with.
pub(super) struct Paging {
    /// The request's `Offset`.
    pub(super) offset: Field,
    /// The request's `Limit`.
    pub(super) limit: Field,
    /// The answer's one list.
    pub(super) items: Field,
    /// The answer's total count.
    pub(super) total: Field,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Role {
    Request,
    Response,
    /// Reachable from requests only.
    RequestSide,
    /// Reachable from requests and responses.
    Shared,
    /// Reachable from responses only.
    ResponseSide,
}

pub(super) struct Model {
    pub(super) spec: Spec,
    pub(super) overlay: Overlay,
    /// The help lines, checked to cover the spec.
    pub(super) help: Help,
    /// (structure, member) → enum name.
    pub(super) enum_of: BTreeMap<(String, String), String>,
    pub(super) roles: BTreeMap<String, Role>,
    /// structure → the actions whose request or response contain it.
    pub(super) used_in: BTreeMap<String, BTreeSet<String>>,
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

pub(super) fn ident_for(wire: &str) -> (String, String) {
    let snake = wire.to_snake_case();
    if matches!(snake.as_str(), "self" | "super" | "crate") {
        (format!("{snake}_"), format!("with_{snake}"))
    } else if KEYWORDS.contains(&snake.as_str()) {
        (format!("r#{snake}"), format!("with_{snake}"))
    } else {
        (snake.clone(), format!("with_{snake}"))
    }
}

/// The one idempotency rule: an action is safe to resend when its name starts with one of these
/// read-only verbs. The generator applies it to every action of the spec (`Action::IDEMPOTENT`,
/// `ActionInfo::idempotent`) and writes the list into the models, where `is_idempotent` applies
/// it to names the models don't know.
pub(super) const READ_ONLY_VERBS: &[&str] =
    &["Describe", "Inquire", "Check", "Get", "List", "Query"];

pub(super) fn is_idempotent(action: &str) -> bool {
    READ_ONLY_VERBS.iter().any(|p| action.starts_with(p))
}

/// Which text members are credentials, by name: a password (`…Password`), or a download link
/// (`…Url`: every such member of the spec links to a stored file: `BackupDownloadTask.Url`,
/// the log download `Task.Url`, `AuditLogFile.DownloadUrl`, the SSL `CertUrl`s; such links
/// are pre-signed, and the query string of a pre-signed link is its signature). The
/// generated `Debug` redacts them; the value and its wire form are unchanged.
pub(super) fn redaction(wire: &str, elem: &Elem, list: bool) -> Redact {
    if list || !matches!(elem, Elem::Scalar(Scalar::Str)) {
        Redact::No
    } else if wire.ends_with("Password") {
        Redact::Whole
    } else if wire.ends_with("Url") {
        Redact::Query
    } else {
        Redact::No
    }
}

pub(super) fn doc_url(action: &str) -> String {
    format!("https://console.cloud.tencent.com/api/explorer?Product=mongodb&Version=2019-07-25&Action={action}")
}

impl Model {
    pub(super) fn new(spec: Spec, overlay: Overlay, help: HelpFile) -> Result<Model> {
        let help = Help::new(help, &spec)?;
        let mut enum_of = BTreeMap::new();
        for (name, e) in &overlay.enums {
            if spec.structures.contains_key(name) {
                return Err(format!(
                    "enum {name} clashes with a structure of the same name"
                ));
            }
            if e.repr != "int" && e.repr != "string" {
                return Err(format!("enum {name}: repr must be int or string"));
            }
            for (s, m) in &e.used_by {
                let st = spec
                    .structures
                    .get(s)
                    .ok_or_else(|| format!("enum {name}: no structure {s}"))?;
                let mem = st
                    .members
                    .iter()
                    .find(|x| &x.name == m)
                    .ok_or_else(|| format!("enum {name}: no member {s}.{m}"))?;
                let ok = match e.repr.as_str() {
                    "int" => mem.ty == "int" || (mem.ty == "list" && mem.member.contains("int")),
                    _ => mem.member == "string",
                };
                if !ok {
                    return Err(format!("enum {name}: {s}.{m} has type {}", mem.ty));
                }
                enum_of.insert((s.clone(), m.clone()), name.clone());
            }
        }
        // Roles.
        let reach = |roots: Vec<&String>| -> BTreeSet<String> {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<String> = roots.into_iter().cloned().collect();
            while let Some(n) = stack.pop() {
                if !seen.insert(n.clone()) {
                    continue;
                }
                if let Some(s) = spec.structures.get(&n) {
                    for m in &s.members {
                        if spec.structures.contains_key(&m.member) {
                            stack.push(m.member.clone());
                        }
                    }
                }
            }
            seen
        };
        let inputs: BTreeSet<&String> = spec.actions.values().map(|a| &a.input).collect();
        let outputs: BTreeSet<&String> = spec.actions.values().map(|a| &a.output).collect();
        let rin = reach(inputs.iter().copied().collect());
        let rout = reach(outputs.iter().copied().collect());
        let mut roles = BTreeMap::new();
        for name in spec.structures.keys() {
            let role = if inputs.contains(name) {
                Role::Request
            } else if outputs.contains(name) {
                Role::Response
            } else {
                match (rin.contains(name), rout.contains(name)) {
                    (true, true) => Role::Shared,
                    (true, false) => Role::RequestSide,
                    (false, true) => Role::ResponseSide,
                    (false, false) => {
                        return Err(format!("structure {name} is used by no action"));
                    }
                }
            };
            roles.insert(name.clone(), role);
        }
        for (name, a) in &spec.actions {
            for s in [&a.input, &a.output] {
                if !spec.structures.contains_key(s) {
                    return Err(format!("action {name}: unknown structure {s}"));
                }
            }
            if a.input != format!("{name}Request") || a.output != format!("{name}Response") {
                return Err(format!("action {name}: unexpected structure names"));
            }
        }
        let mut used_in: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (action, a) in &spec.actions {
            for s in reach(vec![&a.input, &a.output]) {
                used_in.entry(s).or_default().insert(action.clone());
            }
        }
        let model = Model {
            spec,
            overlay,
            help,
            enum_of,
            roles,
            used_in,
        };
        model.check_cycles()?;
        Ok(model)
    }

    fn check_cycles(&self) -> Result {
        fn visit(
            m: &Model,
            name: &str,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Result {
            if done.contains(name) {
                return Ok(());
            }
            if path.iter().any(|p| p == name) {
                return Err(format!(
                    "recursive structure: {} -> {name}",
                    path.join(" -> ")
                ));
            }
            path.push(name.to_string());
            for mem in &m.spec.structures[name].members {
                if m.spec.structures.contains_key(&mem.member) {
                    visit(m, &mem.member, path, done)?;
                }
            }
            path.pop();
            done.insert(name.to_string());
            Ok(())
        }
        let mut done = BTreeSet::new();
        for name in self.spec.structures.keys() {
            visit(self, name, &mut Vec::new(), &mut done)?;
        }
        Ok(())
    }

    pub(super) fn fields(&self, sname: &str) -> Result<Vec<Field>> {
        let role = self.roles[sname];
        let mut out: Vec<Field> = Vec::new();
        for m in &self.spec.structures[sname].members {
            let what = format!("{sname}.{}", m.name);
            let enum_name = self.enum_of.get(&(sname.to_string(), m.name.clone()));
            let (elem, list) = match m.ty.as_str() {
                "list" => (self.elem(&m.member, enum_name, &what)?, true),
                "object" => {
                    if !self.spec.structures.contains_key(&m.member) {
                        return Err(format!("{what}: unknown structure {}", m.member));
                    }
                    (Elem::Struct(m.member.clone()), false)
                }
                "string" | "int" | "float" | "bool" => {
                    (self.elem(&m.member, enum_name, &what)?, false)
                }
                other => return Err(format!("{what}: unknown type {other}")),
            };
            let request_id = role == Role::Response && m.name == "RequestId";
            let answer = matches!(role, Role::Response | Role::ResponseSide | Role::Shared);
            let strict = !answer
                && matches!(&elem, Elem::Struct(st) if self.roles.get(st) == Some(&Role::Shared));
            let redact = redaction(&m.name, &elem, list);
            let plain = m.required && matches!(role, Role::Request | Role::RequestSide);
            let (ident, setter) = ident_for(&m.name);
            if out.iter().any(|f| f.ident == ident) {
                return Err(format!("{what}: two members map to the field `{ident}`"));
            }
            out.push(Field {
                wire: m.name.clone(),
                ident,
                setter,
                elem,
                list,
                plain,
                required: m.required,
                output_required: answer && m.output_required.unwrap_or(false),
                nullable: m.nullable.unwrap_or(false),
                disabled: m.disabled,
                request_id,
                answer,
                strict,
                redact,
            });
        }
        Ok(out)
    }

    /// How `action` pages, if it does: its request has integer `Offset` and `Limit`, and its
    /// answer one list and an integer total (`TotalCount`, else `Total`, else `Count`).
    pub(super) fn paging(&self, action: &str) -> Result<Option<Paging>> {
        let is_int =
            |f: &Field| !f.list && matches!(f.elem, Elem::Scalar(Scalar::I64 | Scalar::U64));
        let mut req = self.fields(&format!("{action}Request"))?;
        let take = |fields: &mut Vec<Field>, wire: &str| {
            let i = fields.iter().position(|f| f.wire == wire && is_int(f))?;
            Some(fields.swap_remove(i))
        };
        let (Some(offset), Some(limit)) = (take(&mut req, "Offset"), take(&mut req, "Limit"))
        else {
            return Ok(None);
        };
        let mut resp = self.fields(&format!("{action}Response"))?;
        let Some(total) = ["TotalCount", "Total", "Count"]
            .iter()
            .find_map(|w| take(&mut resp, w))
        else {
            return Ok(None);
        };
        let mut lists = resp.into_iter().filter(|f| f.list);
        match (lists.next(), lists.next()) {
            (Some(items), None) => Ok(Some(Paging {
                offset,
                limit,
                items,
                total,
            })),
            _ => Ok(None),
        }
    }

    fn elem(&self, member: &str, enum_name: Option<&String>, what: &str) -> Result<Elem> {
        if let Some(e) = enum_name {
            return Ok(Elem::Enum(e.clone()));
        }
        if let Some(s) = Scalar::parse(member) {
            return Ok(Elem::Scalar(s));
        }
        if self.spec.structures.contains_key(member) {
            return Ok(Elem::Struct(member.to_string()));
        }
        Err(format!("{what}: unknown member type {member}"))
    }

    pub(super) fn enum_values_phrase(&self, name: &str) -> String {
        let e = &self.overlay.enums[name];
        e.values
            .iter()
            .map(|v| format!("{} {}", value_text(&v.value), words(&v.name)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            "CreateBackupDBInstance".to_snake_case(),
            "create_backup_db_instance"
        );
        assert_eq!(ident_for("Type").0, "r#type");
        assert!(is_idempotent("DescribeDBBackups"));
        assert!(!is_idempotent("CreateBackupDBInstance"));
    }
}
