//! The exchange API's documentation for the developers of the town's
//! business software (`/T/exchange/doc`): endpoint, WSDL, how to sign a
//! call (WS-Security UsernameToken), every operation with its parameters
//! and results, the types, every fault code, and example exchanges the
//! SOAP channel wrote (handed over in the site's `Documents`). The words
//! are those of `exchange::api`, which the WSDL's annotations carry too.

use crate::exchange::api::{self as described, Param};
use crate::web::route::Ctx;
use crate::web::view::Xml;
use crate::web::{Body, page};
use hyper::{Response, StatusCode};

pub(super) async fn doc(cx: &Ctx<'_>) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let origin = cx.app.config.public_url.as_deref().unwrap_or(req.origin);
    let endpoint = format!("{origin}{}{}", frame.base, described::PATH);
    let mut x = Xml::new();
    frame.begin(&mut x, "exchange-doc", &frame.message("exchange.title"));
    x.open(
        "exchange-doc",
        &[
            ("endpoint", &endpoint),
            ("wsdl", &format!("{endpoint}?wsdl")),
            ("namespace", &described::namespace(&site.tenant.namespace())),
            (
                "window-minutes",
                &(crate::auth::api::WINDOW_SECS / 60).to_string(),
            ),
        ],
    );
    for op in described::OPERATIONS {
        x.open("operation", &[("name", op.name)]);
        x.text("doc", &[("lang", "fr")], op.doc);
        params(&mut x, "input", op.input);
        params(&mut x, "output", op.output);
        for code in op.faults {
            x.empty("fault", &[("code", code)]);
        }
        x.close("operation");
    }
    for t in described::TYPES {
        x.open("type", &[("name", t.name)]);
        x.text("doc", &[("lang", "fr")], t.doc);
        params(&mut x, "fields", t.fields);
        x.close("type");
    }
    for t in described::SIMPLE_TYPES {
        x.text("simple-type", &[("name", t.name), ("lang", "fr")], t.doc);
    }
    for (code, meaning) in described::FAULTS {
        x.text("fault-code", &[("code", code), ("lang", "fr")], meaning);
    }
    for (operation, request, response) in &site.documents.exchange_examples {
        x.open("example", &[("operation", operation)]);
        x.text("request", &[], request);
        x.text("response", &[], response);
        x.close("example");
    }
    x.close("exchange-doc");
    x.close("page");
    page(
        site,
        frame,
        req,
        StatusCode::OK,
        "exchange-doc.xsl",
        x.finish(),
        false,
    )
}

fn params(x: &mut Xml, name: &str, list: &[Param]) {
    x.open(name, &[]);
    for p in list {
        x.text(
            "param",
            &[
                ("name", p.name),
                ("type", p.xsd),
                ("required", if p.required { "true" } else { "false" }),
                ("many", if p.many { "true" } else { "false" }),
                ("lang", "fr"),
            ],
            p.doc,
        );
    }
    x.close(name);
}
