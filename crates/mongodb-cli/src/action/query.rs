//! JMESPath over response objects, for `--filter` and the `expr` of `--waiter`. The language is
//! the one tccli (and the AWS CLI) evaluate, implemented by the `jmespath` crate, which runs the
//! specification's compliance suite.

use std::fmt;

use serde_json::Value;

use crate::exit::Failure;

/// A compiled expression, with the text it came from and the flag that gave it.
#[derive(Clone)]
pub struct Query {
    flag: &'static str,
    text: String,
    expr: jmespath::Expression<'static>,
}

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("flag", &self.flag)
            .field("text", &self.text)
            .finish()
    }
}

impl Query {
    /// Compiles `text`; a syntax error is a usage error naming `flag` and the expression.
    pub fn compile(flag: &'static str, text: &str) -> Result<Self, Failure> {
        let expr = jmespath::compile(text)
            .map_err(|e| Failure::usage(format!("invalid {flag} expression `{text}`: {e}")))?;
        Ok(Query {
            flag,
            text: text.to_string(),
            expr,
        })
    }

    /// The expression as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates the expression over `value`. An expression that can't be evaluated on it
    /// (a function given the wrong type, say) is a usage error naming it.
    pub fn search(&self, value: &Value) -> Result<Value, Failure> {
        let found = self.expr.search(value).map_err(|e| {
            Failure::usage(format!(
                "{} expression `{}` failed on the response: {e}",
                self.flag, self.text
            ))
        })?;
        serde_json::to_value(&*found).map_err(|e| {
            Failure::usage(format!(
                "{} expression `{}` gave a value that is not JSON: {e}",
                self.flag, self.text
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn projections_and_functions() {
        let v = json!({"BackupList": [{"BackupName": "a", "BackupSize": 2}, {"BackupName": "b", "BackupSize": 5}], "TotalCount": 2});
        let q = |e: &str| Query::compile("--filter", e).unwrap().search(&v).unwrap();
        assert_eq!(q("TotalCount"), json!(2));
        assert_eq!(q("BackupList[].BackupName"), json!(["a", "b"]));
        assert_eq!(
            q("BackupList[?BackupSize > `3`].BackupName | [0]"),
            json!("b")
        );
        assert_eq!(q("max_by(BackupList, &BackupSize).BackupName"), json!("b"));
        assert_eq!(q("Missing"), json!(null));
    }

    #[test]
    fn errors_name_the_flag_and_the_expression() {
        let err = Query::compile("--filter", "BackupList[").unwrap_err();
        assert_eq!(err.code(), 2);
        assert!(
            err.message()
                .starts_with("invalid --filter expression `BackupList[`"),
            "{}",
            err.message()
        );
        let q = Query::compile("--waiter", "length(TotalCount)").unwrap();
        let err = q.search(&json!({"TotalCount": 2})).unwrap_err();
        assert_eq!(err.code(), 2);
        assert!(
            err.message()
                .contains("--waiter expression `length(TotalCount)`"),
            "{}",
            err.message()
        );
    }
}
