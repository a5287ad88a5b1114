//! What every channel shares about one town: its [`Site`] (the tenant, the
//! documents generated from its catalogue, its departments), its look and
//! wording ([`look`]: settings, messages, theme, re-read when its files
//! change) and the way it writes dates ([`dates`]).
//!
//! Web pages, SOAP answers, e-mails and request files all read a town from
//! here, so none of those channels needs another.

pub mod dates;
pub mod look;
pub mod places;
pub mod templates;

use crate::core::tenant::{Audience, Tenant};
use crate::store::Department;
use look::{StepColours, TenantLook};
use std::collections::HashMap;
use std::sync::Arc;

/// Where the citizen pages serve `audience`, under the tenant's path: the
/// public pages, or the agents' test desk (`/T/backoffice/test/…`). Every
/// channel that links to a page (a SOAP receipt's tracking URL) asks here.
pub fn desk_prefix(audience: Audience) -> &'static str {
    match audience {
        Audience::Public => "",
        Audience::Agents => "/backoffice/test",
    }
}

/// The SOAP endpoint serving `audience`, under the tenant's path.
pub fn soap_path(audience: Audience) -> &'static str {
    match audience {
        Audience::Public => "/soap",
        Audience::Agents => "/soap/test",
    }
}

/// The documents generated once from a tenant's catalogue (by the SOAP
/// channel, when the tenant loads).
#[derive(Clone)]
pub struct Documents {
    /// Writes a complete SOAP envelope submitting a service's example
    /// entries (the SOAP channel's own writer, handed over so that the pages
    /// documenting a service need not know envelopes).
    pub example: fn(
        &Tenant,
        &crate::core::catalogue::Service,
        &[(String, crate::core::forms::RawValue)],
    ) -> String,
    /// WSDL with [`Documents::ADDRESS`] for the endpoint address.
    pub wsdl: String,
    /// The WSDL of the testers' endpoint: services in test as well.
    pub agents_wsdl: String,
    /// The exchange API's WSDL (`/T/exchange?wsdl`), with
    /// [`Documents::ADDRESS`] for the endpoint address.
    pub exchange_wsdl: String,
    /// Example exchanges of the exchange API for its documentation page:
    /// `(operation, request envelope, response envelope)`.
    pub exchange_examples: Vec<(String, String, String)>,
    /// The tenant's whole schema (`xsd/SLUG.xsd`).
    pub schema: String,
    /// One schema per online service (`xsd/CODE.xsd`), for request files.
    pub service_schemas: HashMap<String, String>,
}

impl Documents {
    /// Stands for the endpoint address in [`Documents::wsdl`].
    pub const ADDRESS: &'static str = "{{GUICHET_SOAP_ADDRESS}}";
}

/// A tenant with the documents derived from its catalogue.
pub struct Site {
    pub tenant: Arc<Tenant>,
    /// A disabled tenant answers 404 on every URL; its workers leave it be,
    /// but for messages already in its outbox.
    pub enabled: bool,
    pub documents: Documents,
    /// Settings, wording and stylesheet overrides from `DATA/tenants/SLUG/`.
    pub look: TenantLook,
    /// The departments its services belong to, by name.
    pub departments: Vec<Department>,
    /// The stylesheet of its steps' colours (back office).
    pub step_colours: StepColours,
    /// Of the stored record it was built from: a site is rebuilt when its
    /// record changes.
    pub fingerprint: u64,
}

impl Site {
    /// `tenant_dir` holds the tenant's own files (it need not exist);
    /// `recorded` are the departments the store knows, which the services'
    /// own complete.
    pub fn new(
        tenant: Tenant,
        documents: Documents,
        tenant_dir: std::path::PathBuf,
        recorded: &[Department],
        enabled: bool,
    ) -> Site {
        let look = TenantLook::open(tenant_dir, &tenant.slug);
        let mut departments: Vec<Department> = Vec::new();
        for service in tenant.all_services() {
            let d = &service.department;
            if !departments.iter().any(|k| k.code == d.code) {
                departments.push(Department {
                    code: d.code.clone(),
                    name: d.name.clone(),
                    // Heads are chosen in the store; see `Store::departments`.
                    head: None,
                });
            }
        }
        for d in recorded {
            if !departments.iter().any(|k| k.code == d.code) {
                departments.push(Department {
                    head: None,
                    ..d.clone()
                });
            }
        }
        departments.sort_by(|a, b| a.name.cmp(&b.name));
        Site {
            fingerprint: 0,
            enabled,
            step_colours: StepColours::of(&tenant),
            departments,
            tenant: Arc::new(tenant),
            documents,
            look,
        }
    }

    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    pub fn department_codes(&self) -> Vec<String> {
        self.departments.iter().map(|d| d.code.clone()).collect()
    }

    /// The town's name as its settings give it, else as registered.
    pub fn town_name(&self) -> String {
        self.look
            .get()
            .settings
            .name
            .clone()
            .unwrap_or_else(|| self.tenant.name.clone())
    }

    /// The WSDL for `audience` with its ports pointing at `address`.
    pub fn wsdl_for(&self, audience: Audience, address: &str) -> String {
        let wsdl = match audience {
            Audience::Public => &self.documents.wsdl,
            Audience::Agents => &self.documents.agents_wsdl,
        };
        wsdl.replace(Documents::ADDRESS, &crate::xml::escape(address))
    }

    /// The exchange API's WSDL, its endpoint at `address`.
    pub fn exchange_wsdl(&self, address: &str) -> String {
        self.documents
            .exchange_wsdl
            .replace(Documents::ADDRESS, &crate::xml::escape(address))
    }
}
