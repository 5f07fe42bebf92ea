use std::path::{Path, PathBuf};

/// One row of `labels.tsv`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Label {
    /// Relative to the corpus folder.
    pub path: String,
    pub ecosystem: String,
    pub malicious: bool,
    /// `payload`, `recon`, `hook-only`, `unclassified` for malicious rows.
    pub class: String,
    /// Malware family id; empty for benign rows.
    pub cluster: String,
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {reason}")]
    Format {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

/// Reads `DIR/labels.tsv`.
pub fn read_labels(corpus: &Path) -> Result<Vec<Label>, LabelError> {
    let path = corpus.join("labels.tsv");
    let text = std::fs::read_to_string(&path).map_err(|source| LabelError::Io {
        path: path.clone(),
        source,
    })?;
    parse_labels(&text).map_err(|(line, reason)| LabelError::Format { path, line, reason })
}

fn parse_labels(text: &str) -> Result<Vec<Label>, (usize, String)> {
    let mut lines = text.lines().enumerate();
    let (_, header) = lines.next().ok_or((1, "empty file".to_string()))?;
    let columns: Vec<&str> = header.split('\t').collect();
    let column = |name: &str| {
        columns
            .iter()
            .position(|c| *c == name)
            .ok_or((1, format!("missing column `{name}`")))
    };
    let (path, eco, label, class) = (
        column("path")?,
        column("ecosystem")?,
        column("label")?,
        column("class")?,
    );
    let cluster = columns.iter().position(|c| *c == "cluster");
    let name = columns.iter().position(|c| *c == "name");
    let mut labels = Vec::new();
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| fields.get(i).copied().unwrap_or("");
        let malicious = match get(label) {
            "malicious" => true,
            "benign" => false,
            other => {
                return Err((
                    index + 1,
                    format!("label `{other}` is neither `malicious` nor `benign`"),
                ));
            }
        };
        if get(path).is_empty() || get(path).contains("..") {
            return Err((index + 1, "missing or unsafe path".into()));
        }
        labels.push(Label {
            path: get(path).to_string(),
            ecosystem: get(eco).to_string(),
            malicious,
            class: get(class).to_string(),
            cluster: cluster.map(get).unwrap_or_default().to_string(),
            name: name.map(get).unwrap_or_default().to_string(),
        });
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_by_header_names() {
        let text = "path\tecosystem\tlabel\tclass\tcluster\n\
                    m/a.tgz\tpypi\tmalicious\tpayload\t7\n\
                    b/b.tgz\tnpm\tbenign\tpopular\t\n";
        let labels = parse_labels(text).unwrap();
        assert_eq!(labels.len(), 2);
        assert!(labels[0].malicious && labels[0].cluster == "7");
        assert!(!labels[1].malicious && labels[1].ecosystem == "npm");
    }

    #[test]
    fn a_bad_label_names_its_line() {
        let text = "path\tecosystem\tlabel\tclass\nx\tnpm\tmaybe\tc\n";
        assert_eq!(parse_labels(text).unwrap_err().0, 2);
        assert!(
            parse_labels("path\tlabel\n")
                .unwrap_err()
                .1
                .contains("ecosystem")
        );
    }
}
