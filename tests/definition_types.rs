//! The Rust types of service definitions come from the schema: this test
//! generates them from `xsd/service-definition.xsd` with `xsd-parser` (serde
//! types, read and written by quick-xml's serde support) and fails when
//! `src/core/definition/types.rs` differs. After a change of the schema, run
//! it with `GUICHET_REGENERATE=1` to write the file, and review the diff.
//!
//! Two things are added to what the generator writes: `skip_serializing_if`
//! on optional fields (quick-xml would otherwise write empty attributes and
//! elements for them), and the file's header.

use std::path::Path;
use xsd_parser::config::{GeneratorFlags, IdentType, OptimizerFlags, Resolver, Schema};
use xsd_parser::models::meta::CustomMeta;
use xsd_parser::{Config, generate};
use xsd_parser_types::misc::Namespace;

const HEADER: &str = "//! Types of service definition files, generated from\n//! `xsd/service-definition.xsd` by `tests/definition_types.rs` (xsd-parser):\n//! do not edit; change the schema and regenerate\n//! (`GUICHET_REGENERATE=1 cargo test --test definition_types`).\n\n#![allow(clippy::all, missing_docs, dead_code)]\n\n";

fn generated() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config::default();
    config.parser.resolver = vec![Resolver::File];
    config.parser.schemas = vec![Schema::File(
        root.join("xsd/service-definition.xsd")
            .canonicalize()
            .unwrap(),
    )];
    config.optimizer.flags |= OptimizerFlags::RESOLVE_TYPEDEFS;
    config.generator.flags |= GeneratorFlags::FLATTEN_STRUCT_CONTENT;
    let config = config
        .with_serde_quick_xml()
        // Bounds keep their lexical form ("2.50" stays "2.50").
        .with_type(
            (IdentType::Type, Namespace::XS, "decimal"),
            CustomMeta::new("String"),
        )
        .with_derive(["Debug", "Clone", "PartialEq"])
        .with_generate([(IdentType::Element, "d:service")]);
    let code = generate(config).expect("the schema generates").to_string();
    let mut file: syn::File = syn::parse_str(&code).expect("the generated code parses");
    syn::visit_mut::VisitMut::visit_file_mut(&mut SkipNone, &mut file);
    format!("{HEADER}{}", prettyplease::unparse(&file))
}

/// Adds `#[serde(skip_serializing_if = "Option::is_none")]` to every
/// `Option` field.
struct SkipNone;

impl syn::visit_mut::VisitMut for SkipNone {
    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        let optional = matches!(&field.ty, syn::Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "Option"));
        if optional {
            field
                .attrs
                .push(syn::parse_quote!(#[serde(skip_serializing_if = "Option::is_none")]));
        }
    }
}

#[test]
fn the_definition_types_are_the_schemas() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core/definition/types.rs");
    let want = generated();
    if std::env::var_os("GUICHET_REGENERATE").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is not what xsd/service-definition.xsd generates: run GUICHET_REGENERATE=1 cargo test --test definition_types",
        path.display()
    );
}
