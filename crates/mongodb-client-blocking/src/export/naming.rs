//! The local name of a backup file: `<backup name>__<replica set>.<extension>`, with the
//! extension the download URL's path shows (`tar` when it shows none).

/// The extension used when the URL shows none.
const DEFAULT_EXTENSION: &str = "tar";

/// The file name for `replica_set`'s file of `backup_name`, downloaded from `url`: characters
/// that are awkward in file names (spaces, colons, slashes, …) become `_`. Never holds the
/// URL's query.
pub(crate) fn file_name(backup_name: &str, replica_set: &str, url: Option<&str>) -> String {
    let ext = url
        .and_then(url_extension)
        .unwrap_or_else(|| DEFAULT_EXTENSION.to_owned());
    format!("{}__{}.{ext}", clean(backup_name), clean(replica_set))
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The extension of the file a download URL names (`tar`, `tar.gz`, `xb`, …), when it looks
/// like one: short, lower-case letters and digits.
fn url_extension(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let (_, after_scheme) = path.split_once("://")?;
    let (_, path) = after_scheme.split_once('/')?;
    let last = path.rsplit('/').next()?;
    let (_, ext) = last.split_once('.')?;
    let ok = ext.len() <= 12
        && ext.starts_with(|c: char| c.is_ascii_lowercase())
        && ext.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    ok.then(|| ext.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("cmgo-demo0002_2024-05-01 10:20", "cmgo-demo0002_1", None),
            "cmgo-demo0002_2024-05-01_10_20__cmgo-demo0002_1.tar"
        );
        assert_eq!(
            file_name("a/b", "x", Some("https://cos.x/p/b.xb?q-signature=s")),
            "a_b__x.xb"
        );
        assert_eq!(
            file_name("b", "x", Some("https://cos.x/p/b.tar?q-signature=s.xb")),
            "b__x.tar"
        );
    }

    #[test]
    fn extensions_from_urls() {
        let ext = |u: &str| url_extension(u);
        assert_eq!(
            ext("http://h/download/1/a_b.tar?sign=x").as_deref(),
            Some("tar")
        );
        assert_eq!(
            ext("https://cos.x/p/backup.tar.gz").as_deref(),
            Some("tar.gz")
        );
        assert_eq!(ext("https://cos.x/p/backup").as_deref(), None);
        assert_eq!(
            ext("https://cos.x/p/cmgo-x_2024-05-01 10.20").as_deref(),
            None
        );
        assert_eq!(ext("https://cos.x.com?x=a.tar").as_deref(), None);
    }
}
