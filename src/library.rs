//! Service definition files: checked against `xsd/service-definition.xsd`
//! with libxml2 (what administrators and their tools validate with), then
//! by the loader (`core::catalogue`, what the server trusts); and the
//! service library, the definition files a town picks its services from.
//!
//! The library ships compiled in (`catalogue/`); `--library DIR` reads
//! another one, every `*.xml` below `DIR`, at start. A library with one
//! broken file is refused whole, each problem named with its file and line:
//! a town never picks from half a library.

use crate::core::builtin;
use crate::core::catalogue::Service;
use std::path::{Path, PathBuf};

/// The schema every definition follows.
pub const SCHEMA: &str = include_str!("../xsd/service-definition.xsd");

/// One problem of a definition file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<u32>,
    pub message: String,
}

/// Why a definition file was refused: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct FileRefused {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl FileRefused {
    /// Each problem as `(line, message)`, as pages show them.
    pub fn by_line(self) -> Vec<(Option<u32>, String)> {
        self.problems
            .into_iter()
            .map(|p| (p.line, p.message))
            .collect()
    }

    fn describe(&self) -> String {
        self.problems
            .iter()
            .map(|p| match p.line {
                Some(line) => format!("{}:{line}: {}", self.file, p.message),
                None => format!("{}: {}", self.file, p.message),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A definition file, checked: against the schema, then by the loader.
pub fn check(file: &str, text: &str) -> Result<Service, FileRefused> {
    let refused = |problems: Vec<Problem>| FileRefused {
        file: file.to_owned(),
        problems,
    };
    // Guichet's own reader first: it refuses DTDs, entities and processing
    // instructions before libxml2 sees the text.
    if let Err(e) = crate::xml::parse(text, crate::xml::Limits::default()) {
        return Err(refused(vec![Problem {
            line: None,
            message: e.to_string(),
        }]));
    }
    let problems = against_schema(text);
    if !problems.is_empty() {
        return Err(refused(problems));
    }
    Service::from_xml(text).map_err(|e| {
        refused(vec![Problem {
            line: None,
            message: e.to_string(),
        }])
    })
}

fn against_schema(text: &str) -> Vec<Problem> {
    use libxml::parser::{Parser, ParserOptions};
    use libxml::schemas::{SchemaParserContext, SchemaValidationContext};
    let options = ParserOptions {
        recover: false,
        ..ParserOptions::default()
    };
    let doc = match Parser::default().parse_string_with_options(text, options) {
        Ok(doc) => doc,
        Err(e) => {
            return vec![Problem {
                line: None,
                message: format!("not well-formed XML: {e:?}"),
            }];
        }
    };
    let mut parser = SchemaParserContext::from_buffer(SCHEMA);
    let mut schema = match SchemaValidationContext::from_parser(&mut parser) {
        Ok(s) => s,
        Err(errors) => {
            return vec![Problem {
                line: None,
                message: format!(
                    "the definition schema does not compile: {}",
                    errors
                        .iter()
                        .filter_map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            }];
        }
    };
    match schema.validate_document(&doc) {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| Problem {
                line: e.line.and_then(|l| u32::try_from(l).ok()),
                message: e
                    .message
                    .unwrap_or_else(|| "invalid against the schema".into())
                    .trim()
                    .to_owned(),
            })
            .collect(),
    }
}

/// A library service: its definition and its file's text.
#[derive(Debug, Clone)]
pub struct Entry {
    pub file: String,
    pub service: Service,
    pub text: String,
}

/// The service library: the built-in one, or every `*.xml` below `dir`;
/// refused whole, with every problem of every file, when one is broken or
/// two have the same code.
pub fn load(dir: Option<&Path>) -> Result<Vec<Entry>, Vec<FileRefused>> {
    let files: Vec<(String, String)> = match dir {
        None => builtin::DEFINITIONS
            .iter()
            .map(|(name, text)| (format!("catalogue/{name}"), (*text).to_owned()))
            .collect(),
        Some(dir) => match read_dir(dir) {
            Ok(files) => files,
            Err(refused) => return Err(vec![refused]),
        },
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut refused = Vec::new();
    for (file, text) in files {
        match check(&file, &text) {
            Ok(service) => {
                if let Some(other) = entries.iter().find(|e| e.service.code == service.code) {
                    refused.push(FileRefused {
                        file: file.clone(),
                        problems: vec![Problem {
                            line: None,
                            message: format!(
                                "service code {:?} is already {}'s",
                                service.code, other.file
                            ),
                        }],
                    });
                    continue;
                }
                entries.push(Entry {
                    file,
                    service,
                    text,
                })
            }
            Err(e) => refused.push(e),
        }
    }
    if refused.is_empty() {
        Ok(entries)
    } else {
        Err(refused)
    }
}

/// Every `*.xml` below `dir`, by path, with its text.
fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, FileRefused> {
    let unreadable = |path: &Path, e: std::io::Error| FileRefused {
        file: path.display().to_string(),
        problems: vec![Problem {
            line: None,
            message: format!("cannot be read: {e}"),
        }],
    };
    let mut pending: Vec<PathBuf> = vec![dir.to_owned()];
    let mut files = Vec::new();
    while let Some(folder) = pending.pop() {
        let listing = std::fs::read_dir(&folder).map_err(|e| unreadable(&folder, e))?;
        for entry in listing {
            let path = entry.map_err(|e| unreadable(&folder, e))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "xml") {
                let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, e))?;
                files.push((path.display().to_string(), text));
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_library_loads_whole() {
        let library = load(None).unwrap();
        assert_eq!(library.len(), builtin::DEFINITIONS.len());
    }

    #[test]
    fn a_broken_file_is_refused_with_its_line_and_problem() {
        let text = builtin::definition("road-incident").unwrap();
        // Valid XML, invalid against the schema: an element the schema
        // does not know, right after the root's start tag.
        let root = text.find("<service").unwrap();
        let end = root + text[root..].find('>').unwrap() + 1;
        let broken = format!("{}\n<unknown/>{}", &text[..end], &text[end..]);
        let refused = check("road.xml", &broken).unwrap_err();
        assert_eq!(refused.file, "road.xml");
        assert!(
            refused
                .problems
                .iter()
                .any(|p| p.line.is_some() && p.message.contains("unknown")),
            "{refused}"
        );
        assert!(refused.to_string().starts_with("road.xml:"), "{refused}");
        // A DTD never reaches libxml2.
        let dtd = format!("<!DOCTYPE x [<!ENTITY e \"e\">]>{text}");
        assert!(check("dtd.xml", &dtd).is_err());
    }
}
