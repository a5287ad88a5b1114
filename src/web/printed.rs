//! A request's PDF documents (the request, its receipt) served from the
//! tracking page, the account and the back office: each caller has checked
//! that the person may read the request; this loads it, has
//! `render::documents` say what goes on the page and serves the file.

use crate::core::status::{self, RequestRecord};
use crate::core::tracking::Reference;
use crate::render::documents::AccountLines;
use crate::render::documents::{self, Words};
use crate::render::pdf::Doc;
use crate::store::{Citizen, WorkItem};
use crate::usecases::account::Held;
use crate::web::route::Ctx;
use crate::web::view::{Frame, Xml};
use crate::web::{Body, not_found, plain};
use bytes::Bytes;
use hyper::{Response, StatusCode};

/// Which of a request's documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Printed {
    Request,
    Receipt,
}

/// The links to the request's PDFs under `path` (the request's page under
/// the tenant): `<documents>` with the request and, when `receipt`, its
/// receipt, in the page's language.
pub(crate) fn links(x: &mut Xml, frame: &Frame, path: &str, receipt: bool) {
    x.open("documents", &[]);
    x.text(
        "document",
        &[
            ("href", &frame.url(&format!("{path}/request.pdf"))),
            ("kind", "request"),
        ],
        &frame.message("pdf.request.link"),
    );
    if receipt {
        x.text(
            "document",
            &[
                ("href", &frame.url(&format!("{path}/receipt.pdf"))),
                ("kind", "receipt"),
            ],
            &frame.message("pdf.receipt.link"),
        );
    }
    x.close("documents");
}

/// The words of the page's language, for a document made now.
pub(crate) fn words<'a>(cx: &'a Ctx<'a>) -> Words<'a> {
    Words {
        look: cx.frame.look,
        lang: cx.frame.lang,
        tz: &cx.site.tenant.time_zone,
        now: cx.app.now(),
    }
}

/// `doc` as a PDF file named `file_name`.
pub(crate) async fn serve(cx: &Ctx<'_>, doc: Doc, file_name: &str) -> Response<Body> {
    let town = cx.site.town_name();
    let head = documents::letterhead(cx.frame.look, &town);
    match documents::pdf_file(head, doc).await {
        Ok(bytes) => crate::web::download(Bytes::from(bytes), "application/pdf", file_name),
        Err(e) => {
            tracing::error!(error = %e, "PDF not made");
            plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
    }
}

/// Request `reference` with its values, for a reader the caller has let
/// through.
pub(crate) async fn load(cx: &Ctx<'_>, reference: Reference) -> Result<WorkItem, Response<Body>> {
    match cx.app.store.work_item(cx.site.tenant.id, reference).await {
        Ok(Some(item)) => Ok(item),
        Ok(None) => Err(not_found(cx.site, cx.frame, cx.req)),
        Err(e) => Err(plain(StatusCode::SERVICE_UNAVAILABLE, &e.to_string())),
    }
}

/// A request's document `which`, with its tracking code on the receipt
/// when the reader holds it.
pub(crate) async fn request_document(
    cx: &Ctx<'_>,
    item: &WorkItem,
    which: Printed,
    code: Option<&str>,
) -> Response<Body> {
    let (app, site) = (cx.app, cx.site);
    let reference = item.record.reference;
    let Some(service) = site
        .tenant
        .service_version(&item.record.service_code, item.record.service_version)
    else {
        return not_found(site, cx.frame, cx.req);
    };
    let shown = status::citizen_view(service, &item.record, &site.tenant.time_zone, cx.frame.lang);
    let w = words(cx);
    let (doc, name) = match which {
        Printed::Request => (
            documents::request(&w, service, &shown, &item.rows),
            format!("demande-{reference}.pdf"),
        ),
        Printed::Receipt => {
            let url = code.map(|c| {
                format!(
                    "{}{}",
                    app.message_url.trim_end_matches('/'),
                    cx.frame.desk_url(&format!("/track/{c}"))
                )
            });
            let tracking = code.zip(url.as_deref());
            (
                documents::receipt(&w, &shown, tracking),
                format!("accuse-reception-{reference}.pdf"),
            )
        }
    };
    serve(cx, doc, &name).await
}

/// Everything held on a person as a PDF: their accounts (`accounts`, with
/// what each holds) and the `other` requests made under their address
/// without an account; `who` names them in the text.
pub(crate) async fn person_document(
    cx: &Ctx<'_>,
    who: &str,
    accounts: &[(Citizen, Held)],
    other: &[(RequestRecord, Vec<(String, String)>)],
    file_name: &str,
) -> Response<Body> {
    let (site, f) = (cx.site, cx.frame);
    let lines: Vec<AccountLines> = accounts
        .iter()
        .map(|(c, held)| {
            let p = &c.profile;
            let civility = p
                .civility
                .as_ref()
                .map(|c| f.message(&format!("field.requester.civility.{c}")));
            let profile = [
                ("field.requester.civility", civility.as_ref()),
                ("field.requester.firstName", p.first_name.as_ref()),
                ("field.requester.lastName", p.last_name.as_ref()),
                ("field.requester.phone", p.phone.as_ref()),
                ("field.address.street", p.street.as_ref()),
                ("field.address.postalCode", p.postal_code.as_ref()),
                ("field.address.town", p.town.as_ref()),
            ]
            .into_iter()
            .filter_map(|(key, value)| Some((f.message(key), value?.clone())))
            .collect();
            AccountLines {
                email: c.email.clone(),
                profile,
                identities: held.identities.iter().map(|i| i.issuer.clone()).collect(),
            }
        })
        .collect();
    let requests: Vec<_> = accounts
        .iter()
        .flat_map(|(_, held)| held.requests.iter())
        .chain(other.iter())
        .filter_map(|(record, rows)| {
            let service = site
                .tenant
                .service_version(&record.service_code, record.service_version)?;
            let shown = status::citizen_view(service, record, &site.tenant.time_zone, f.lang);
            Some((service.clone(), shown, rows.clone()))
        })
        .collect();
    let doc = documents::person(&words(cx), who, &lines, &requests);
    serve(cx, doc, file_name).await
}
