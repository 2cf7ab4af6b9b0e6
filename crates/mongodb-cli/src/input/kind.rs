//! What a parameter's declared type means for the text given on the command line.

use serde_json::Value;

/// What a parameter's declared type (`ParamInfo::type_name`) means for flag conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// Text, taken verbatim.
    String,
    /// A whole number.
    Integer,
    /// A number that may have a fraction.
    Float,
    /// `true` or `false`.
    Boolean,
    /// A list of the inner kind.
    List(Box<ParamKind>),
    /// A structure, given as a JSON object.
    Structure,
}

impl ParamKind {
    /// Classifies a declared type name such as `String`, `Integer`, `Array of ReplicaSetInfo`.
    pub fn of(type_name: &str) -> Self {
        let t = type_name.trim();
        let lower = t.to_ascii_lowercase();
        for prefix in ["array of ", "list of "] {
            if lower.starts_with(prefix) {
                return Self::List(Box::new(Self::of(&t[prefix.len()..])));
            }
        }
        if let Some(inner) = t.strip_suffix("[]") {
            return Self::List(Box::new(Self::of(inner)));
        }
        if lower.starts_with("vec<") && lower.ends_with('>') {
            return Self::List(Box::new(Self::of(&t[4..t.len() - 1])));
        }
        match lower.as_str() {
            "string" | "str" | "datetime" | "timestamp" | "date" | "time" => Self::String,
            "integer" | "int" | "int64" | "uint64" | "int32" | "uint32" | "long" | "i64"
            | "u64" => Self::Integer,
            "float" | "double" | "number" | "f64" => Self::Float,
            "boolean" | "bool" => Self::Boolean,
            _ => Self::Structure,
        }
    }
}

/// The element type of a list type: `Array of ReplicaSetInfo` → `ReplicaSetInfo`; any other
/// type name as it is.
pub fn element_type(type_name: &str) -> &str {
    let t = type_name.trim();
    ["Array of ", "array of ", "List of ", "list of "]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .or_else(|| t.strip_suffix("[]"))
        .unwrap_or(t)
}

/// Converts one text by kind; numbers and booleans only when the text is unambiguous.
pub(super) fn scalar_value(
    name: &str,
    type_name: &str,
    kind: &ParamKind,
    raw: &str,
) -> Result<Value, String> {
    let bad =
        |what: &str| format!("invalid value {raw:?} for --{name}: expected {what} ({type_name})");
    match kind {
        ParamKind::String => Ok(Value::String(raw.to_string())),
        ParamKind::Integer => {
            let t = raw.trim();
            if let Ok(i) = t.parse::<i64>() {
                Ok(Value::from(i))
            } else if let Ok(u) = t.parse::<u64>() {
                Ok(Value::from(u))
            } else {
                Err(bad("an integer"))
            }
        }
        ParamKind::Float => match raw.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => serde_json::Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| bad("a number")),
            _ => Err(bad("a number")),
        },
        ParamKind::Boolean => match raw.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(bad("true or false")),
        },
        ParamKind::Structure | ParamKind::List(_) => {
            let v: Value = serde_json::from_str(raw)
                .map_err(|e| format!("--{name} expects JSON ({type_name}): {e}"))?;
            Ok(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(ParamKind::of("String"), ParamKind::String);
        assert_eq!(ParamKind::of("Integer"), ParamKind::Integer);
        assert_eq!(ParamKind::of("Boolean"), ParamKind::Boolean);
        assert_eq!(ParamKind::of("Float"), ParamKind::Float);
        assert_eq!(ParamKind::of("ReplicaSetInfo"), ParamKind::Structure);
        assert_eq!(
            ParamKind::of("Array of ReplicaSetInfo"),
            ParamKind::List(Box::new(ParamKind::Structure))
        );
        assert_eq!(
            ParamKind::of("Array of Integer"),
            ParamKind::List(Box::new(ParamKind::Integer))
        );
    }

    #[test]
    fn element_types() {
        assert_eq!(element_type("Array of ReplicaSetInfo"), "ReplicaSetInfo");
        assert_eq!(element_type("Array of String"), "String");
        assert_eq!(element_type("String"), "String");
    }
}
